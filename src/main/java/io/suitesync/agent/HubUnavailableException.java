package io.suitesync.agent;

/** The hub did not answer (down, timeout, 5xx): callers fall back to what they hold. */
public class HubUnavailableException extends RuntimeException {

    public HubUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
