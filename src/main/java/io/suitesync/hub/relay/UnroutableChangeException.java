package io.suitesync.hub.relay;

/** A change the relay cannot turn into events (no rule for its table, missing routing field, …). */
public class UnroutableChangeException extends RuntimeException {

    public UnroutableChangeException(String message) {
        super(message);
    }
}
