package dev.firmament.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.smallrye.config.ConfigMapping;

/**
 * docs/operations.md lists exactly the settings Firmament reads: every key of every {@code @ConfigMapping} interface,
 * plus the few read on their own (before the configuration exists, or outside any feature), and nothing else.
 */
class ConfigurationDocsTest {

    static final Path CLASSES = Path.of("target", "classes");
    static final Path SOURCES = Path.of("src", "main", "java");

    @Test
    void operationsMdListsExactlyTheKeysTheMappingsAndPropertiesDefine() throws Exception {
        Set<String> read = new TreeSet<>(mappedKeys());
        assertThat(read).as("the mappings were found").contains("firmament.devices.flush-interval",
                "firmament.storage.s3.read-timeout");
        read.addAll(keysReadOnTheirOwn());

        Set<String> documented = new TreeSet<>();
        Matcher key = Pattern.compile("`(firmament\\.[a-z0-9.-]+)`").matcher("");
        for (String line : Files.readAllLines(Path.of("docs", "operations.md"))) {
            if (line.startsWith("| `firmament.")) {
                key.reset(line.substring(0, line.indexOf(" | ", 2)));
                while (key.find()) {
                    documented.add(key.group(1));
                }
            }
        }

        assertThat(documented).as("documented in operations.md, compared with what the code reads")
                .containsExactlyElementsOf(read);
    }

    private static Set<String> mappedKeys() throws IOException, ClassNotFoundException {
        Set<String> keys = new TreeSet<>();
        try (Stream<Path> files = Files.walk(CLASSES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class") && !f.toString().contains("$"))
                    .toList()) {
                String name = CLASSES.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, ConfigurationDocsTest.class.getClassLoader());
                ConfigMapping mapping = type.getAnnotation(ConfigMapping.class);
                if (mapping != null) {
                    collect(mapping.prefix(), type, keys);
                }
            }
        }
        return keys;
    }

    /** A method is a key, or a group of keys when it returns an interface of the mapping's own. */
    private static void collect(String prefix, Class<?> group, Set<String> keys) {
        for (Method method : group.getDeclaredMethods()) {
            if (method.isDefault() || method.isSynthetic()
                    || java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            String key = prefix + "." + method.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
            Class<?> type = method.getReturnType();
            if (type.isInterface() && type.getEnclosingClass() == group) {
                collect(key, type, keys);
            } else {
                keys.add(key);
            }
        }
    }

    /** {@code @ConfigProperty} names, and the embedded database's keys, read before the configuration exists. */
    private static Set<String> keysReadOnTheirOwn() throws IOException {
        Set<String> keys = new TreeSet<>();
        Pattern property = Pattern.compile("@ConfigProperty\\(name = \"(firmament\\.[a-z0-9.-]+)\"");
        Pattern launcher = Pattern.compile("static final String [A-Z_]+ = \"(firmament\\.[a-z0-9.-]+)\"");
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                Matcher m = property.matcher(source);
                while (m.find()) {
                    keys.add(m.group(1));
                }
                if (file.endsWith("EmbeddedDatabaseLauncher.java")) {
                    m = launcher.matcher(source);
                    while (m.find()) {
                        keys.add(m.group(1));
                    }
                }
            }
        }
        return keys;
    }
}
