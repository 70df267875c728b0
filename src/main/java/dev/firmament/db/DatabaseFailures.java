package dev.firmament.db;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;

/** What a failed write says about the database: away for now, or in the way of another transaction. */
public final class DatabaseFailures {

    private DatabaseFailures() {
    }

    /**
     * The database cannot be reached or is not taking work now (connection refused or lost, the pool timed out waiting
     * for a connection, the server shutting down or starting), or the wait for it was interrupted (this process is
     * stopping): the same write will work later.
     */
    public static boolean unreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLRecoverableException
                    || t instanceof ConnectException || t instanceof InterruptedException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
                    return true;
                }
                String message = sql.getMessage() == null ? "" : sql.getMessage();
                if (state == null
                        && (message.contains("Acquisition timeout") || message.contains("Interrupted while"))) {
                    // Agroal: no connection within the acquisition timeout, or the wait was cut short (a shutdown)
                    return true;
                }
            }
        }
        return false;
    }

    /** A deadlock or serialization failure: another transaction won; the same write succeeds when tried again. */
    public static boolean retryable(SQLException failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql
                    && ("40P01".equals(sql.getSQLState()) || "40001".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }
}
