package dev.firmament.deploy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.marcnuri.helm.Helm;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The chart's alerts name metrics the application really exposes: an alert on a misspelt metric never fires, and nobody
 * notices until the outage it was for.
 */
@QuarkusTest
class PrometheusRuleTest {

    private static final Pattern METRIC = Pattern.compile("\\bfirmament_[a-z_]+");

    @Test
    void everyAlertNamesAMetricTheApplicationExposes() {
        String rendered = new Helm(HelmChartTest.CHART).template().withName("firmament")
                .set("prometheusRule.enabled", true).set("prometheusRule.labels.release", "kube-prometheus-stack")
                .call();
        GenericKubernetesResource rule = Serialization.unmarshal(
                List.of(rendered.split("(?m)^---\\s*$")).stream()
                        .filter(document -> document.contains("kind: PrometheusRule")).findFirst().orElseThrow(),
                GenericKubernetesResource.class);
        assertThat(rule.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(rule.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");

        Map<?, ?> spec = (Map<?, ?>) rule.getAdditionalProperties().get("spec");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> groups = (List<Map<String, Object>>) spec.get("groups");
        Set<String> named = new TreeSet<>();
        List<String> alerts = new java.util.ArrayList<>();
        for (Map<String, Object> group : groups) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> rules = (List<Map<String, Object>>) group.get("rules");
            for (Map<String, Object> alert : rules) {
                alerts.add((String) alert.get("alert"));
                assertThat(alert.get("annotations")).as("%s says what it means", alert.get("alert")).isNotNull();
                Matcher metric = METRIC.matcher(String.valueOf(alert.get("expr")));
                boolean any = false;
                while (metric.find()) {
                    named.add(metric.group());
                    any = true;
                }
                assertThat(any).as("%s watches a Firmament metric", alert.get("alert")).isTrue();
            }
        }
        assertThat(alerts).contains("FirmamentDeviceActivityDropped", "FirmamentRolloutPaused",
                "FirmamentWebhooksFailing");

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Set<String> exposed = new TreeSet<>();
        Matcher line = Pattern.compile("(?m)^(firmament_[a-z_]+)[{ ]").matcher(metrics);
        while (line.find()) {
            exposed.add(line.group(1));
        }
        assertThat(exposed).containsAll(named);
    }
}
