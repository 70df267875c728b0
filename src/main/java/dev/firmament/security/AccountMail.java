package dev.firmament.security;

import java.net.URI;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;

/**
 * Mails invitation and password-reset links to the person, when a mail server is configured
 * ({@code quarkus.mailer.from} and the server's settings). Sent after the link was committed, in the background: a mail
 * server that is down never fails the addition, whose link is shown to the person who made it either way. Failures are
 * logged and counted.
 * <p>
 * Mails go out one at a time: the Vert.x mail client can interleave the commands of concurrent sends on a shared
 * connection (vert-x3/vertx-mail-client#171), which could hand one person's link to another, and a test saw a second
 * concurrent send never complete. Account mails are rare, so a queue of one costs nothing.
 */
@ApplicationScoped
public class AccountMail {

    private static final Logger LOG = Logger.getLogger(AccountMail.class);

    private final ReactiveMailer mailer;
    private final AccountLinks links;
    private final Optional<String> from;
    private final MeterRegistry metrics;
    /** The mail sent last; the next one starts when it has gone or failed. */
    private java.util.concurrent.CompletableFuture<?> previous = java.util.concurrent.CompletableFuture
            .completedFuture(null);
    /** A mail server that accepts the connection and then says nothing does not hold the mails behind it forever. */
    private static final java.time.Duration SEND_TIMEOUT = java.time.Duration.ofSeconds(60);

    AccountMail(ReactiveMailer mailer, AccountLinks links,
            @ConfigProperty(name = "quarkus.mailer.from") Optional<String> from, MeterRegistry metrics) {
        this.mailer = mailer;
        this.links = links;
        this.from = from.filter(address -> !address.isBlank());
        this.metrics = metrics;
    }

    /** Whether links are mailed here (the console and API say so next to the link). */
    public boolean enabled() {
        return from.isPresent();
    }

    /**
     * The invitation link of a member just added, on {@code firmament.public-url} or the request's base, mailed to the
     * person when mail is configured; empty when the addition created nobody.
     */
    public Optional<Delivered> deliver(MemberService.Added added, String tenantName, URI requestBase) {
        return added.invitation().map(invitation -> {
            String url = invitation.url(links.base(requestBase));
            invitation(added.entry().email(), tenantName, url, invitation.expiresAt());
            return new Delivered(url, invitation.expiresAt());
        });
    }

    /** A password-reset link, mailed to the person when mail is configured. */
    public Delivered deliver(LocalAccounts.IssuedReset reset, URI requestBase) {
        String url = reset.link().url(links.base(requestBase));
        passwordReset(reset.email(), url, reset.link().expiresAt());
        return new Delivered(url, reset.link().expiresAt());
    }

    /** A link as shown, once, to whoever issued it. */
    public record Delivered(String url, Instant expiresAt) {
    }

    private void invitation(String email, String tenantName, String url, Instant expiresAt) {
        String where = tenantName == null ? "Firmament" : tenantName + " on Firmament";
        send(email, "You are invited to " + where,
                "You were invited to " + where + ".\n\nOpen this link to choose"
                        + " your password and sign in (it works once, until " + expiresAt + "):\n\n" + url
                        + "\n\nIf you did not expect this, ignore this mail.\n");
    }

    private void passwordReset(String email, String url, Instant expiresAt) {
        send(email, "Reset your Firmament password",
                "A platform administrator issued you a link to choose a new" + " password (it works once, until "
                        + expiresAt + "):\n\n" + url + "\n\nIf you did not ask for this, tell your administrator.\n");
    }

    private synchronized void send(String to, String subject, String text) {
        if (from.isEmpty()) {
            return;
        }
        Mail mail = Mail.withText(to, subject, text);
        previous = previous.handle((ignored, failed) -> null)
                .thenCompose(
                        ready -> mailer.send(mail).ifNoItem().after(SEND_TIMEOUT).fail().subscribeAsCompletionStage())
                .whenComplete((sent, failure) -> {
                    if (failure == null) {
                        metrics.counter("firmament_account_mails", "outcome", "sent").increment();
                        return;
                    }
                    metrics.counter("firmament_account_mails", "outcome", "failed").increment();
                    LOG.warnf("Could not mail %s a link (%s): %s; it was shown to whoever issued it", to, subject,
                            failure.getMessage());
                });
    }
}
