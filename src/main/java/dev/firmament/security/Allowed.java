package dev.firmament.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a management API method needs: the least role in the tenant named by the {@code {tenant}} path segment, or a
 * platform administrator. Every {@code /api} and console method must carry it; {@link ApiAuthorization} refuses those
 * that do not.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.METHOD, ElementType.TYPE })
public @interface Allowed {

    /** The least role in the tenant; ignored when {@link #platformAdmin()} is set. */
    Role value() default Role.VIEWER;

    /** Only platform administrators (tenant management). */
    boolean platformAdmin() default false;

    /** Anyone signed in, tenant or not: the method itself shows only what is the caller's (the tenant chooser). */
    boolean signedIn() default false;
}
