package dev.firmament.audit;

import jakarta.enterprise.context.RequestScoped;

/** Who is acting and from where, for the audit rows of the current request; "system" when nobody set it. */
@RequestScoped
public class AuditActor {

    String type = "system";
    String id = "system";
    String name = "Firmament";
    String requestId;
    String ip;
    String userAgent;

    public void set(String type, String id, String name, String requestId, String ip, String userAgent) {
        this.type = type;
        this.id = id;
        this.name = name;
        this.requestId = requestId;
        this.ip = ip;
        this.userAgent = userAgent == null ? null : userAgent.substring(0, Math.min(300, userAgent.length()));
    }
}
