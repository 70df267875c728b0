package dev.firmament.security;

import java.util.Optional;

import jakarta.enterprise.context.RequestScoped;

/** The console session of the current request, set by {@link ConsoleAuthentication}. */
@RequestScoped
public class CurrentConsoleSession {

    private ConsoleSessions.Session session;

    public Optional<ConsoleSessions.Session> get() {
        return Optional.ofNullable(session);
    }

    void set(ConsoleSessions.Session session) {
        this.session = session;
    }
}
