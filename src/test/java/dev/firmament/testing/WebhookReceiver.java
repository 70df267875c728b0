package dev.firmament.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP receiver on loopback, as a team's webhook endpoint would be: it records every request (headers, body) and
 * answers with the status it is told to. It can be stopped and started again on the same port, as a receiver that goes
 * down and comes back.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as it arrived. */
    public record Received(String path, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private final List<Received> received = new ArrayList<>();
    private final AtomicInteger status = new AtomicInteger(204);
    private HttpServer server;
    private int port;

    public WebhookReceiver() {
        start();
    }

    /** Starts (again) on the port it had, or a free one the first time. */
    public synchronized void start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            synchronized (this) {
                received.add(new Received(exchange.getRequestURI().toString(), Map.copyOf(exchange.getRequestHeaders()),
                        new String(body, StandardCharsets.UTF_8)));
            }
            byte[] answer = ("received " + received.size()).getBytes(StandardCharsets.UTF_8);
            int code = status.get();
            exchange.sendResponseHeaders(code, code == 204 ? -1 : answer.length);
            if (code != 204) {
                exchange.getResponseBody().write(answer);
            }
            exchange.close();
        });
        server.start();
        port = server.getAddress().getPort();
    }

    /** Stops listening: connections are refused until {@link #start()}. */
    public synchronized void stop() {
        server.stop(0);
    }

    /** The status the receiver answers with from now on. */
    public void answer(int code) {
        status.set(code);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public synchronized List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        stop();
    }
}
