package dev.firmament.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The Helm chart, rendered by Helm itself (helm-java embeds it): it lints strictly, renders with the default values and
 * with production-like ones, and every rendered manifest reads into Kubernetes' own API types with no field those types
 * do not know (a misspelt or misplaced key) and no value of the wrong type.
 */
class HelmChartTest {

    static final Path CHART = Paths.get("helm/firmament");
    static final Path PRODUCTION = Paths.get("src/test/resources/helm/production-values.yaml");

    @Test
    void theChartLintsStrictly() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void defaultValuesRenderOneEvaluationPodWithItsOwnDatabase() {
        List<HasMetadata> manifests = render(new Helm(CHART).template().withName("firmament").call());
        assertThat(kinds(manifests)).containsExactlyInAnyOrder("ServiceAccount", "Service", "Deployment");
        Deployment deployment = only(manifests, Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(env(deployment)).doesNotContainKey("QUARKUS_DATASOURCE_JDBC_URL");
        var pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(pod.getContainers().get(0).getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(pod.getContainers().get(0).getReadinessProbe().getTimeoutSeconds()).isEqualTo(1);
        assertThat(pod.getContainers().get(0).getLivenessProbe().getTimeoutSeconds()).isEqualTo(2);
    }

    @Test
    void productionValuesRenderReplicasWithExternalServicesAndExistingSecrets() {
        List<HasMetadata> manifests = render(
                new Helm(CHART).template().withName("firmament").withValuesFile(PRODUCTION).call());
        assertThat(kinds(manifests)).containsExactlyInAnyOrder("ServiceAccount", "Service", "Deployment", "Ingress",
                "HorizontalPodAutoscaler", "PodDisruptionBudget");
        assertThat(manifests).noneMatch(m -> m instanceof Secret); // every secret already exists
        Deployment deployment = only(manifests, Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).as("the autoscaler owns the count").isNull();
        Map<String, Object> env = env(deployment);
        assertThat(env).containsEntry("QUARKUS_DATASOURCE_JDBC_URL",
                "jdbc:postgresql://firmament.cluster-abc.eu-central-1.rds.amazonaws.com:5432/firmament");
        assertThat(env).containsEntry("FIRMAMENT_STORAGE_S3_BUCKET", "acme-firmament");
        assertThat(env).containsEntry("QUARKUS_OIDC_CONSOLE_TENANT_ENABLED", "true");
        assertThat(env.get("QUARKUS_DATASOURCE_PASSWORD")).isEqualTo("secret firmament-database/password");
        assertThat(env.get("FIRMAMENT_STORAGE_S3_SECRET_KEY")).isEqualTo("secret firmament-s3/secret-key");
        assertThat(env.get("QUARKUS_OIDC_CONSOLE_CREDENTIALS_SECRET")).isEqualTo("secret firmament-oidc/client-secret");
        assertThat(env.get("FIRMAMENT_AUDIT_SIGNING_KEY")).isEqualTo("secret firmament-audit/signing-key");
        assertThat(env.get("FIRMAMENT_SIGNING_MASTER_KEY")).isEqualTo("secret firmament-signing/master-key");
        assertThat(env).containsEntry("FIRMAMENT_AUDIT_CHECKPOINT_INTERVAL", "10m");
    }

    @Test
    void replicasWithoutOneAuditSigningKeyAreRefusedAtRenderTime() {
        assertThatThrownBy(() -> new Helm(CHART).template().withName("firmament").withValuesFile(PRODUCTION)
                .set("audit.existingSecret", "").call()).hasMessageContaining("one audit signing key for all");
        Map<String, Object> env = env(only(
                render(new Helm(CHART).template().withName("firmament").withValuesFile(PRODUCTION)
                        .set("audit.existingSecret", "").set("audit.signingKey", "-----BEGIN PRIVATE KEY-----").call()),
                Deployment.class));
        assertThat(env.get("FIRMAMENT_AUDIT_SIGNING_KEY")).isEqualTo("secret firmament/audit-signing-key");
    }

    @Test
    void passwordsGivenAsValuesGoIntoTheChartsSecret() {
        List<HasMetadata> manifests = render(new Helm(CHART).template().withName("firmament")
                .set("database.url", "jdbc:postgresql://db:5432/firmament").set("database.password", "pw")
                .set("storage.s3.endpoint", "http://minio:9000").set("storage.s3.accessKey", "ak")
                .set("storage.s3.secretKey", "sk").set("audit.signingKey", "pem").set("signing.masterKey", "mk")
                .call());
        Secret secret = only(manifests, Secret.class);
        assertThat(secret.getData()).containsOnlyKeys("database-password", "s3-access-key", "s3-secret-key",
                "audit-signing-key", "signing-master-key");
        assertThat(env(only(manifests, Deployment.class)).get("QUARKUS_DATASOURCE_PASSWORD"))
                .isEqualTo("secret firmament/database-password");
    }

    @Test
    void valuesOfTheWrongShapeAreRefusedBeforeRendering() {
        assertThatThrownBy(() -> new Helm(CHART).template().set("replicaCount", "two").call())
                .hasMessageContaining("replicaCount");
        assertThatThrownBy(() -> new Helm(CHART).template().set("database.url", "postgres://db/firmament").call())
                .hasMessageContaining("/database/url");
        assertThatThrownBy(() -> new Helm(CHART).template().set("databse.url", "jdbc:postgresql://db/x").call())
                .hasMessageContaining("databse");
    }

    @Test
    void replicasWithoutASharedObjectStoreAreRefusedAtRenderTime() {
        assertThatThrownBy(() -> new Helm(CHART).template().withName("firmament")
                .set("database.url", "jdbc:postgresql://db:5432/firmament").call())
                        .hasMessageContaining("More than one replica (or autoscaling) needs a shared object store");
        assertThatThrownBy(() -> new Helm(CHART).template().withName("firmament")
                .set("database.url", "jdbc:postgresql://db:5432/firmament").set("replicaCount", 1)
                .set("autoscaling.enabled", true).call()).hasMessageContaining("shared object store");
        Deployment single = only(
                render(new Helm(CHART).template().withName("firmament")
                        .set("database.url", "jdbc:postgresql://db:5432/firmament").set("replicaCount", 1).call()),
                Deployment.class);
        assertThat(single.getSpec().getReplicas()).isEqualTo(1);
    }

    @Test
    void theManifestCheckCatchesAFieldKubernetesDoesNotKnow() {
        String rendered = new Helm(CHART).template().withName("firmament").set("extraEnv[0].name", "X")
                .set("extraEnv[0].valeu", "typo").call();
        assertThatThrownBy(() -> render(rendered)).isInstanceOf(AssertionError.class).hasMessageContaining("valeu");
    }

    /** Reads each document into its Kubernetes type, and fails on any field the type does not have. */
    static List<HasMetadata> render(String yaml) {
        List<HasMetadata> manifests = new ArrayList<>();
        for (String document : yaml.split("(?m)^---\\s*$")) {
            if (document.lines().allMatch(line -> line.isBlank() || line.startsWith("#"))) {
                continue;
            }
            HasMetadata manifest = Serialization.unmarshal(document);
            List<String> unknown = new ArrayList<>();
            unknownFields(manifest, manifest.getKind(), unknown,
                    java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
            assertThat(unknown).as("fields Kubernetes does not know in\n%s", document).isEmpty();
            manifests.add(manifest);
        }
        return manifests;
    }

    private static void unknownFields(Object value, String path, List<String> unknown, Set<Object> seen) {
        if (value == null || !seen.add(value)) {
            return;
        }
        if (value instanceof Collection<?> items) {
            items.forEach(item -> unknownFields(item, path + "[]", unknown, seen));
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.values().forEach(item -> unknownFields(item, path + "{}", unknown, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object field;
            try {
                field = getter.invoke(value);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                ((Map<?, ?>) field).keySet().forEach(key -> unknown.add(path + "." + key));
            } else {
                unknownFields(field, path + "." + getter.getName().substring(3), unknown, seen);
            }
        }
    }

    static List<String> kinds(List<HasMetadata> manifests) {
        return manifests.stream().map(HasMetadata::getKind).toList();
    }

    static <T> T only(List<HasMetadata> manifests, Class<T> type) {
        List<T> matching = manifests.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(matching).hasSize(1);
        return matching.get(0);
    }

    /** The container's environment: plain values, and secret references as {@code secret name/key}. */
    static Map<String, Object> env(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .collect(Collectors.toMap(e -> e.getName(),
                        e -> e.getValueFrom() == null ? e.getValue()
                                : "secret " + e.getValueFrom().getSecretKeyRef().getName() + "/"
                                        + e.getValueFrom().getSecretKeyRef().getKey()));
    }
}
