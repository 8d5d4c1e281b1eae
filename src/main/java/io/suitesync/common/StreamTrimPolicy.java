package io.suitesync.common;

import io.lettuce.core.XAddArgs;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * How each stream is trimmed, decided without a round trip per event: at XADD only by the hard
 * bound {@code stream-hard-max-length}; the hub's StreamGroupWatch trims every written stream each
 * {@code group-check-interval}, right after looking at its groups: one no consumer group reads to
 * about {@code stream-max-length} entries, one with groups never below its newest
 * {@code stream-max-length} entries nor past an entry a group has not read or not acknowledged.
 *
 * <p>XADD used to trim a stream without groups to {@code stream-max-length} itself, from what the
 * last look had seen: a group created after that look lost the entries XADD trimmed before the next
 * look (ExampleConsumersIT caught it: a consumer started right after the stream was looked at missed
 * a hundred events). Trimming only where the groups were just read closes that window.
 *
 * <p>Which streams have groups is cached here; appending only marks the stream as written.
 */
@Component
public class StreamTrimPolicy {

    private final XAddArgs bounded;
    private final Map<String, Watched> streams = new ConcurrentHashMap<>();

    public StreamTrimPolicy(@Value("${suitesync.hub.relay.stream-hard-max-length:1000000}") long hardMaxLength) {
        this.bounded = XAddArgs.Builder.maxlen(hardMaxLength).approximateTrimming();
    }

    /** The XADD arguments for an event appended to {@code stream}. */
    public XAddArgs argsFor(String stream) {
        Watched watched = streams.computeIfAbsent(stream, s -> new Watched());
        watched.written = true;
        return bounded;
    }

    /**
     * Streams whose groups must be looked at: those written since the last look (a group may have
     * been created) and those with groups (they are trimmed by the watch). Clears the written marks.
     */
    public List<String> due() {
        return streams.entrySet().stream()
                .filter(e -> e.getValue().written || e.getValue().groups)
                .peek(e -> e.getValue().written = false)
                .map(Map.Entry::getKey)
                .toList();
    }

    /** Records whether the stream has consumer groups, as XINFO GROUPS said. */
    public void groups(String stream, boolean hasGroups) {
        streams.computeIfAbsent(stream, s -> new Watched()).groups = hasGroups;
    }

    /** True when the stream has consumer groups, or was not looked at yet. */
    public boolean hasGroups(String stream) {
        Watched watched = streams.get(stream);
        return watched == null || watched.groups;
    }

    private static final class Watched {
        /** until the first look, a stream counts as read by groups: trimmed only by the hard bound */
        volatile boolean groups = true;
        volatile boolean written;
    }
}
