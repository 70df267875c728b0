package dev.firmament.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real SMTP server on a loopback port, as much of RFC 5321 as a mail client needs to hand over a message; what it
 * received is kept for tests to read. The application's mailer talks to it over TCP like to any mail server.
 */
public class SmtpReceiver implements QuarkusTestResourceLifecycleManager {

    /** A message as received: its recipient and its data (headers and body, transfer encoding undone). */
    public record Message(String to, String data) {
    }

    private static final List<Message> RECEIVED = new CopyOnWriteArrayList<>();
    private ServerSocket server;

    @Override
    public Map<String, String> start() {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread acceptor = new Thread(this::accept, "smtp-receiver");
        acceptor.setDaemon(true);
        acceptor.start();
        return Map.of("quarkus.mailer.mock", "false", "quarkus.mailer.host", "127.0.0.1", "quarkus.mailer.port",
                String.valueOf(server.getLocalPort()), "quarkus.mailer.from", "firmament@test.example",
                "quarkus.mailer.start-tls", "DISABLED", "quarkus.mailer.tls", "false");
    }

    @Override
    public void stop() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** The first message received for {@code to} that satisfies {@code condition}, waiting up to 30 s. */
    public static Message await(String to, Predicate<Message> condition) throws Exception {
        return Eventually.await(
                "a mail for " + to, Duration.ofSeconds(30), () -> RECEIVED.stream()
                        .filter(m -> m.to().equalsIgnoreCase(to) && condition.test(m)).findFirst().orElse(null),
                java.util.Objects::nonNull);
    }

    /** Each connection in a thread of its own: a mail client keeps pooled connections open between messages. */
    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread conversation = new Thread(() -> {
                    try (client) {
                        converse(client);
                    } catch (IOException e) {
                        // the client went away
                    }
                }, "smtp-conversation");
                conversation.setDaemon(true);
                conversation.start();
            } catch (IOException e) {
                // the server was closed
            }
        }
    }

    private static void converse(Socket client) throws IOException {
        var in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = client.getOutputStream();
        reply(out, "220 receiver ESMTP");
        String to = null;
        for (String line; (line = in.readLine()) != null;) {
            String command = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
            switch (command) {
            case "EHLO", "HELO" -> reply(out, "250 receiver");
            case "MAIL" -> reply(out, "250 OK");
            case "RCPT" -> {
                to = line.replaceAll("(?i)^RCPT TO:\\s*<?([^>]*)>?.*$", "$1");
                reply(out, "250 OK");
            }
            case "DATA" -> {
                reply(out, "354 go ahead");
                StringBuilder data = new StringBuilder();
                for (String dataLine; (dataLine = in.readLine()) != null && !dataLine.equals(".");) {
                    data.append(dataLine.startsWith("..") ? dataLine.substring(1) : dataLine).append("\r\n");
                }
                RECEIVED.add(new Message(to, decodeQuotedPrintable(data.toString())));
                reply(out, "250 OK queued");
            }
            case "QUIT" -> {
                reply(out, "221 bye");
                return;
            }
            default -> reply(out, "250 OK");
            }
        }
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Undoes quoted-printable soft line breaks and escapes, so long links read whole. */
    static String decodeQuotedPrintable(String data) {
        String joined = data.replace("=\r\n", "");
        StringBuilder decoded = new StringBuilder();
        for (int i = 0; i < joined.length(); i++) {
            char c = joined.charAt(i);
            if (c == '=' && i + 2 < joined.length() && joined.substring(i + 1, i + 3).matches("[0-9A-F]{2}")) {
                decoded.append((char) Integer.parseInt(joined.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                decoded.append(c);
            }
        }
        return decoded.toString();
    }
}
