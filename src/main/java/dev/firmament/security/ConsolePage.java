package dev.firmament.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.ws.rs.NameBinding;

/**
 * Marks a console resource: its requests need a console session ({@link ConsoleAuthentication}), changes need the
 * session's CSRF token, and its methods declare their access with {@link Allowed} like the management API's.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
public @interface ConsolePage {
}
