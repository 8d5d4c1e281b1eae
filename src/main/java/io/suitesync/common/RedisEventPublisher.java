package io.suitesync.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.redis.connection.RedisStreamCommands.XAddOptions;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes events to Redis in one pipeline per call: XADD to {@code {app}:{tenant}:events} (trimmed to
 * about {@code suitesync.hub.relay.stream-max-length} entries) and PUBLISH to the live channel. Returns
 * only when Redis has answered every command, and throws if any failed, so a caller that marks its
 * source rows afterwards never marks an event Redis did not take.
 */
@Component("redisEventPublisher")
public class RedisEventPublisher {

    private static final byte[] FIELD_EVENT_ID = bytes("eventId");
    private static final byte[] FIELD_EVENT_TYPE = bytes("eventType");
    private static final byte[] FIELD_EVENT = bytes("event");

    private final StringRedisTemplate redis;
    private final ObjectMapper mapper;
    private final XAddOptions trim;

    public RedisEventPublisher(StringRedisTemplate redis, ObjectMapper mapper,
                               @Value("${suitesync.hub.relay.stream-max-length:100000}") long streamMaxLength) {
        this.redis = redis;
        this.mapper = mapper;
        this.trim = XAddOptions.maxlen(streamMaxLength).approximateTrimming(true);
    }

    /** Publishes the events; returns how many were written. */
    public int publish(List<OutboundEvent> events) {
        if (events.isEmpty()) {
            return 0;
        }
        byte[][] payloads = new byte[events.size()][];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = serialize(events.get(i).event());
        }
        redis.executePipelined((RedisCallback<Object>) connection -> {
            for (int i = 0; i < payloads.length; i++) {
                OutboundEvent out = events.get(i);
                MapRecord<byte[], byte[], byte[]> entry = StreamRecords.newRecord()
                        .in(bytes(out.stream()))
                        .ofMap(Map.of(FIELD_EVENT_ID, bytes(out.event().eventId()),
                                FIELD_EVENT_TYPE, bytes(out.event().eventType()),
                                FIELD_EVENT, payloads[i]));
                connection.streamCommands().xAdd(entry, trim);
                if (out.live()) {
                    connection.publish(bytes(out.channel()), payloads[i]);
                }
            }
            return null;
        });
        return events.size();
    }

    private byte[] serialize(SyncEvent event) {
        try {
            return mapper.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event " + event.eventId() + " cannot be serialized", e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
