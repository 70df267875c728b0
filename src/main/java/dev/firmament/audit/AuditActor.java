package dev.firmament.audit;

import jakarta.enterprise.context.RequestScoped;

/**
 * Who is acting and from where, for the audit rows of the current request; "system" when nobody set it. Read through
 * the methods: a request-scoped bean is reached through a proxy whose own fields stay empty.
 */
@RequestScoped
public class AuditActor {

    private String type = "system";
    private String id = "system";
    private String name = "Firmament";
    private String requestId;
    private String ip;
    private String userAgent;

    public String type() {
        return type;
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public String requestId() {
        return requestId;
    }

    public String ip() {
        return ip;
    }

    public String userAgent() {
        return userAgent;
    }

    public void set(String type, String id, String name, String requestId, String ip, String userAgent) {
        this.type = type;
        this.id = id;
        this.name = name;
        this.requestId = requestId;
        this.ip = ip;
        this.userAgent = userAgent == null ? null : userAgent.substring(0, Math.min(300, userAgent.length()));
    }
}
