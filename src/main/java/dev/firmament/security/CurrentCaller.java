package dev.firmament.security;

import java.util.Optional;

import jakarta.enterprise.context.RequestScoped;

/** The caller of the current request, set by {@link ApiAuthentication}. */
@RequestScoped
public class CurrentCaller {

    private Caller caller;

    public Optional<Caller> get() {
        return Optional.ofNullable(caller);
    }

    void set(Caller caller) {
        this.caller = caller;
    }
}
