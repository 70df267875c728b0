package dev.firmament.security;

import java.util.Locale;

import dev.firmament.errors.InvalidInputException;

/** A person's or token's role in one tenant; each includes the ones below it. */
public enum Role {
    /** Reads everything of the tenant. */
    VIEWER,
    /** Also changes releases, rules, groups, pins, rollouts and devices. */
    MAINTAINER,
    /** Also manages members, device keys and API tokens. */
    OWNER;

    public boolean includes(Role required) {
        return compareTo(required) >= 0;
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String code) {
        for (Role role : values()) {
            if (role.code().equals(code)) {
                return role;
            }
        }
        throw new InvalidInputException("invalid-role", "A role is owner, maintainer or viewer, was: " + code);
    }
}
