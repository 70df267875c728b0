package dev.firmament.audit;

import java.util.List;

/** Audit events as CSV (RFC 4180), for the API's and the console's export. */
public final class AuditCsv {

    private AuditCsv() {
    }

    public static String of(List<AuditEvent> events) {
        StringBuilder csv = new StringBuilder(
                "seq,id,at,actor_type,actor_id,actor_name,action,target_type,target_id,before,after,request_id,ip,"
                        + "user_agent,hash\r\n");
        for (AuditEvent e : events) {
            List<Object> fields = List.of(e.seq(), e.id(), e.at(), e.actorType(), e.actorId(), e.actorName(),
                    e.action(), e.targetType(), e.targetId(), nullable(e.before()), nullable(e.after()),
                    nullable(e.requestId()), nullable(e.ip()), nullable(e.userAgent()), e.hash());
            for (int i = 0; i < fields.size(); i++) {
                csv.append(i == 0 ? "" : ",").append(field(String.valueOf(fields.get(i))));
            }
            csv.append("\r\n");
        }
        return csv.toString();
    }

    private static Object nullable(Object value) {
        return value == null ? "" : value;
    }

    /** RFC 4180 quoting, and a leading quote against formula injection in spreadsheets. */
    private static String field(String value) {
        String safe = !value.isEmpty() && "=+-@".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
        return "\"" + safe.replace("\"", "\"\"") + "\"";
    }
}
