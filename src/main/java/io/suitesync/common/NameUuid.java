package io.suitesync.common;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * {@link UUID#nameUUIDFromBytes} (a version 3 UUID) of a name given in parts, with an MD5 digest kept
 * per thread: looking the MD5 provider up for every event cost the relay more than the hashing itself,
 * and the parts spare callers concatenating a name whose constant pieces they encoded once.
 * Deterministic event ids of the relay and the backfill are these; their tests pin them.
 */
public final class NameUuid {

    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no MD5", e);
        }
    });

    private NameUuid() {}

    /** The same UUID as {@code UUID.nameUUIDFromBytes} of the parts' bytes one after another. */
    public static UUID of(byte[]... parts) {
        MessageDigest md5 = MD5.get();
        for (byte[] part : parts) {
            md5.update(part);
        }
        byte[] hash = md5.digest();
        // name-based version 3 and the IETF variant, as UUID.nameUUIDFromBytes sets them
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x30);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (hash[i] & 0xff);
            lsb = (lsb << 8) | (hash[i + 8] & 0xff);
        }
        return new UUID(msb, lsb);
    }
}
