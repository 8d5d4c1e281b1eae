package io.suitesync.bridge.connector;

/** A call to the CRM or Finance failed after the connector's own retries (or was refused outright). */
public class RemoteSystemException extends RuntimeException {

    private final int status;

    public RemoteSystemException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** HTTP status of the last answer, or -1 when there was none (connection error, timeout). */
    public int status() {
        return status;
    }
}
