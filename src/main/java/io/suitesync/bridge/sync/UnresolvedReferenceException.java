package io.suitesync.bridge.sync;

/** An invoice names a customer the bridge has not synced yet; the item is retried later. */
public class UnresolvedReferenceException extends RuntimeException {

    public UnresolvedReferenceException(String message) {
        super(message);
    }
}
