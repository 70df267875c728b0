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
 */
@ApplicationScoped
public class AccountMail {

    private static final Logger LOG = Logger.getLogger(AccountMail.class);

    private final ReactiveMailer mailer;
    private final AccountLinks links;
    private final Optional<String> from;
    private final MeterRegistry metrics;

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

    private void send(String to, String subject, String text) {
        if (from.isEmpty()) {
            return;
        }
        mailer.send(Mail.withText(to, subject, text)).subscribe()
                .with(sent -> metrics.counter("firmament_account_mails", "outcome", "sent").increment(), failure -> {
                    metrics.counter("firmament_account_mails", "outcome", "failed").increment();
                    LOG.warnf("Could not mail %s a link (%s): %s; it was shown to whoever issued it", to, subject,
                            failure.getMessage());
                });
    }
}
