package dev.firmament.ops;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Path;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * HTTP metrics label a request by the route it matched, never by its path: a path carries device keys and tenant slugs,
 * and a label per path would let anyone add series without end. The {@code uri} tag keeps a value only if it is one of
 * the application's route templates (or a constant Quarkus itself uses); anything else — a request refused before
 * routing (431), a path no route matched — is {@value #UNMATCHED}.
 */
public class MetricsWithoutSecrets {

    static final String UNMATCHED = "UNMATCHED";

    /** What Quarkus' own binder labels without a template: never derived from the path. */
    private static final Set<String> CONSTANTS = Set.of("root", "NOT_FOUND", "REDIRECTION", "UNKNOWN");
    private static final Pattern PARAMETER_REGEX = Pattern.compile("\\{\\s*([^}:\\s]+)\\s*:[^}]*}");

    @Produces
    @Singleton
    MeterFilter uriFromRouteTemplatesOnly(BeanManager beans,
            @ConfigProperty(name = "quarkus.micrometer.binder.http-server.match-patterns") List<String> patterns) {
        Set<String> templates = templates(beans, patterns);
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                String uri = id.getTag("uri");
                if (uri == null || !id.getName().startsWith("http.server")) {
                    return id;
                }
                String normalized = normalize(uri);
                String kept = templates.contains(normalized) || CONSTANTS.contains(uri) ? normalized
                        : uri.startsWith("/assets/") || uri.startsWith("/webjars/") ? "/static" : UNMATCHED;
                return kept.equals(uri) ? id : id.replaceTags(id.getTags().stream()
                        .map(tag -> tag.getKey().equals("uri") ? Tag.of("uri", kept) : tag).toList());
            }
        };
    }

    /** Every JAX-RS route template, plus the templates the match patterns give the plain Vert.x routes. */
    static Set<String> templates(BeanManager beans, List<String> patterns) {
        Set<String> templates = new HashSet<>();
        for (Bean<?> bean : beans.getBeans(Object.class, Any.Literal.INSTANCE)) {
            Class<?> type = bean.getBeanClass();
            Path base = type.getAnnotation(Path.class);
            if (base == null) {
                continue;
            }
            templates.add(join(base.value(), ""));
            for (var method : type.getDeclaredMethods()) {
                Path sub = method.getAnnotation(Path.class);
                if (sub != null) {
                    templates.add(join(base.value(), sub.value()));
                }
            }
        }
        for (String pattern : patterns) {
            int equals = pattern.lastIndexOf('=');
            if (equals > 0) {
                templates.add(pattern.substring(equals + 1).trim());
            }
        }
        return templates;
    }

    private static String join(String base, String sub) {
        String path = ("/" + base + "/" + sub).replaceAll("/+", "/");
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return normalize(path);
    }

    /** {@code {action: pause|resume}} and {@code {action}} are one template. */
    private static String normalize(String template) {
        return PARAMETER_REGEX.matcher(template).replaceAll("{$1}");
    }
}
