package dev.firmament.release.artifact;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/** What a failed object-store call says: the store is away (refused, unreachable, timed out), so try again later. */
public final class StoreFailures {

    private StoreFailures() {
    }

    /** Connection refused, no route, an unknown host, or a connect or read timeout, anywhere in the cause chain. */
    public static boolean unreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof NoRouteToHostException
                    || t instanceof UnknownHostException || t instanceof InterruptedIOException) {
                return true; // SocketTimeoutException is an InterruptedIOException
            }
        }
        return false;
    }
}
