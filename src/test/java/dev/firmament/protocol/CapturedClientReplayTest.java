package dev.firmament.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.firmament.release.Release;
import dev.firmament.testing.Fleet;

/**
 * Replays, byte for byte over a raw socket, every request the real clients sent in the captures
 * ({@code fixtures/esp-captured-requests.jsonl}: esp8266/Arduino master and 3.1.2 ESP8266httpUpdate, NoFUSS 0.4.0),
 * with only the path rewritten to Firmament's device endpoints, and checks each answer for what that client needs.
 */
@QuarkusTest
class CapturedClientReplayTest {

    @Inject
    Fleet fleet;

    @TestHTTPResource("/")
    URL server;

    String quietKey;
    String offeringKey;
    String noFussKey;
    String unknownKey = "NoSuchKeyNoSuchKeyNo12";

    @BeforeEach
    void threeKeys() {
        // Nothing is due for devices of a product without rules.
        quietKey = fleet.tenant("QUIET").deviceKey;
        // A newer firmware and filesystem for everything the header-protocol captures report.
        Fleet.Tenant offering = fleet.tenant("FW");
        Release release = offering.release("9.9.9", Fleet.espImage(300_000, 99), Fleet.espImage(70_000, 98));
        offering.rule(release, null, null);
        offeringKey = offering.deviceKey;
        // The NoFUSS README's TEST device, offered 0.1.1 with firmware and filesystem.
        Fleet.Tenant noFuss = fleet.tenant("TEST");
        noFuss.rule(noFuss.release("0.1.1", Fleet.espImage(150_000, 11), Fleet.espImage(60_000, 12)), null, "0.1.0");
        noFussKey = noFuss.deviceKey;
    }

    @Test
    void everyCapturedHeaderProtocolRequestGetsWhatItsClientNeeds() throws Exception {
        List<JsonNode> requests = captured(r -> !r.get("client").asText().startsWith("NoFUSS"));
        assertThat(requests).hasSizeGreaterThanOrEqualTo(60);

        for (JsonNode request : requests) {
            String caseName = request.get("case").asText();
            Map<String, String> headers = headers(request);
            String key = keyFor(caseName);
            RawResponse response = replay(request, "/d/" + key + "/update");

            String context = request.get("client").asText() + " " + caseName;
            assertThat(response.statusLine()).as(context).startsWith("HTTP/1.");
            assertThat(response.header("transfer-encoding")).as(context + ": never chunked").isNull();
            assertThat(response.status()).as(context + ": never a redirect, 204 or 5xx").isIn(200, 304, 400, 403);
            if (!headers.containsKey("x-esp8266-sta-mac")) {
                // What a client sends after following a redirect: every x-ESP8266-* header dropped. Firmament never
                // redirects, so only a misconfigured proxy could cause this; without identity it is refused.
                assertThat(response.status()).as(context).isEqualTo(400);
            } else if (key.equals(unknownKey)) {
                assertThat(response.status()).as(context).isEqualTo(403);
            } else if (key.equals(quietKey)) {
                assertThat(response.status()).as(context).isEqualTo(304);
                assertThat(response.body()).as(context).isEmpty();
            } else if ("version".equals(headers.get("x-esp8266-mode"))) {
                assertThat(response.status()).as(context).isEqualTo(200);
                assertThat(response.header("x-version")).as(context).isEqualTo("9.9.9");
                assertThat(response.body()).as(context).isEmpty();
            } else {
                assertImage(context, response, headers);
            }
        }
    }

    @Test
    void noFussChecksAndTheDownloadsTheyLeadToWork() throws Exception {
        for (JsonNode request : captured(r -> r.get("client").asText().startsWith("NoFUSS"))) {
            String path = request.get("request_line").asText().split(" ")[1];
            Map<String, String> headers = headers(request);
            String context = "NoFUSS " + path;
            if (path.equals("/nofuss-uptodate")) {
                RawResponse response = replay(request, "/d/" + quietKey + "/nofuss");
                assertThat(response.status()).as(context).isEqualTo(200);
                assertThat(response.text()).as(context).isEqualTo("{}");
            } else if (!path.contains("firmware/")) {
                // A check: the trailing slash of "/nofuss-fw/" is kept, as the client keeps it.
                String base = "/d/" + noFussKey + "/nofuss" + (path.endsWith("/") ? "/" : "");
                RawResponse check = replay(request, base);
                assertThat(check.status()).as(context).isEqualTo(200);
                JsonNode answer = new ObjectMapper().readTree(check.text());
                assertThat(check.body().length).as(context).isLessThanOrEqualTo(300);
                assertThat(answer.get("version").asText()).isEqualTo("0.1.1");
                assertThat(answer.get("spiffs").isTextual()).as(context + ": spiffs is a string").isTrue();
                // The download exactly as NoFUSS 0.4 builds it: server + "/" + path.
                String firmwareUrl = base + "/" + answer.get("firmware").asText();
                assertThat(firmwareUrl).contains("//");
                JsonNode download = downloadLike(request);
                RawResponse image = replay(download, firmwareUrl);
                assertImage(context + " -> " + firmwareUrl, image, headers(download));
            }
        }
    }

    /** ESP8266httpUpdate speaks HTTP/1.0 and fails on chunked bodies: the length must be exact and stated. */
    @Test
    void http10ClientsGetAnExactContentLengthAndNoChunking() throws Exception {
        JsonNode request = captured(r -> r.get("case") != null && r.get("case").asText().equals("sketch-200-good-md5"))
                .get(0);

        RawResponse response = replay(request, "/d/" + offeringKey + "/update");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("content-length")).isEqualTo(Integer.toString(response.body().length));
        assertThat(response.header("transfer-encoding")).isNull();
        assertThat(response.body()).hasSize(300_000);
    }

    private String keyFor(String caseName) {
        if (caseName.equals("sketch-401") || caseName.equals("sketch-403")) {
            return unknownKey;
        }
        if (caseName.contains("-200") || caseName.equals("getAvailableVersion") || caseName.contains("-404")
                || caseName.contains("-500") || caseName.contains("-204") || caseName.startsWith("sketch-30")) {
            return offeringKey;
        }
        return quietKey;
    }

    private static void assertImage(String context, RawResponse response, Map<String, String> request) {
        assertThat(response.status()).as(context).isEqualTo(200);
        long length = Long.parseLong(response.header("content-length"));
        assertThat(length).as(context + ": Content-Length").isPositive().isEqualTo(response.body().length);
        String md5 = response.header("x-md5");
        assertThat(md5).as(context + ": x-MD5").matches("[0-9a-f]{32}").isEqualTo(Fleet.md5(response.body()));
        assertThat(response.header("etag")).as(context).isEqualTo("\"" + Fleet.sha256(response.body()) + "\"");
        String mode = request.getOrDefault("x-esp8266-mode", "sketch");
        if (mode.equals("sketch")) {
            assertThat(response.body()[0] & 0xff).as(context + ": ESP image magic").isEqualTo(0xE9);
            String free = request.get("x-esp8266-free-space");
            if (free != null) {
                assertThat(length).as(context + ": fits the free space").isLessThanOrEqualTo(Long.parseLong(free));
            }
        }
    }

    /** The same device, as ESP8266httpUpdate asks for a NoFUSS download (captured request 3 of the NoFUSS run). */
    private JsonNode downloadLike(JsonNode check) throws IOException {
        return captured(r -> r.get("client").asText().startsWith("NoFUSS")
                && r.get("request_line").asText().contains("/firmware/test-0.1.1.bin")).get(0);
    }

    private RawResponse replay(JsonNode request, String path) throws IOException {
        String raw = request.get("raw").asText();
        int lineEnd = raw.indexOf("\r\n");
        String[] requestLine = raw.substring(0, lineEnd).split(" ");
        String rewritten = requestLine[0] + " " + path + " " + requestLine[2] + raw.substring(lineEnd);
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(rewritten.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return RawResponse.read(socket.getInputStream());
        }
    }

    static List<JsonNode> captured(java.util.function.Predicate<JsonNode> filter) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> requests = new ArrayList<>();
        try (InputStream in = CapturedClientReplayTest.class
                .getResourceAsStream("/fixtures/esp-captured-requests.jsonl")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    JsonNode request = json.readTree(line);
                    if (filter.test(request)) {
                        requests.add(request);
                    }
                }
            }
        }
        return requests;
    }

    static Map<String, String> headers(JsonNode request) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (JsonNode header : request.get("headers")) {
            headers.put(header.get(0).asText().toLowerCase(Locale.ROOT), header.get(1).asText());
        }
        return headers;
    }

    /** An HTTP response read to the end of the connection, as an HTTP/1.0 client reads it. */
    record RawResponse(String statusLine, Map<String, String> headers, byte[] body) {

        static RawResponse read(InputStream in) throws IOException {
            byte[] all = in.readAllBytes();
            int split = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String head = new String(all, 0, split, StandardCharsets.ISO_8859_1);
            String[] lines = head.split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim(), (a, b) -> a + "," + b);
            }
            return new RawResponse(lines[0], headers, java.util.Arrays.copyOfRange(all, split + 4, all.length));
        }

        int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }

        String header(String name) {
            return headers.get(name);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        private static int indexOf(byte[] data, byte[] pattern) {
            outer: for (int i = 0; i + pattern.length <= data.length; i++) {
                for (int j = 0; j < pattern.length; j++) {
                    if (data[i + j] != pattern[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            throw new IllegalStateException("No end of headers in the response");
        }
    }
}
