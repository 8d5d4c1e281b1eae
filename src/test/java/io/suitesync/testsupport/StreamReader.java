package io.suitesync.testsupport;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Reads what the hub wrote to Redis streams, as parsed events. */
public class StreamReader {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final StringRedisTemplate redis;
    private final ObjectMapper mapper = new ObjectMapper();

    public StreamReader(StringRedisTemplate redis) {
        this.redis = redis;
    }

    public List<Map<String, Object>> events(String streamKey) {
        List<MapRecord<String, Object, Object>> records = redis.opsForStream().range(streamKey, Range.unbounded());
        return records == null ? List.of() : records.stream().map(r -> parse((String) r.getValue().get("event"))).toList();
    }

    public List<String> rawEvents(String streamKey) {
        List<MapRecord<String, Object, Object>> records = redis.opsForStream().range(streamKey, Range.unbounded());
        return records == null ? List.of() : records.stream().map(r -> (String) r.getValue().get("event")).toList();
    }

    public long size(String streamKey) {
        Long size = redis.opsForStream().size(streamKey);
        return size == null ? 0 : size;
    }

    /** Every key of this tenant, across applications. */
    public Set<String> keysOfTenant(String tenant) {
        return redis.keys("*:" + tenant + ":*");
    }

    public Map<String, Object> parse(String json) {
        try {
            return mapper.readValue(json, MAP);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
