package io.suitesync.hub.admin;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.common.Channels;
import io.suitesync.common.ConditionalOnRole;
import io.suitesync.hub.relay.StreamGroupWatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * {@code GET /admin/streams/{app}/{tenantId}}: the last events of one application's stream for one
 * tenant, parsed; {@code …/groups}: its consumer groups.
 */
@Component("streamTail")
@ConditionalOnRole("hub")
public class StreamTail {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final StringRedisTemplate redis;
    private final ObjectMapper mapper;
    private final ApplicationAdmin applications;
    private final StreamGroupWatch groupWatch;

    public StreamTail(StringRedisTemplate redis, ObjectMapper mapper, ApplicationAdmin applications,
                      StreamGroupWatch groupWatch) {
        this.redis = redis;
        this.mapper = mapper;
        this.applications = applications;
        this.groupWatch = groupWatch;
    }

    /** The stream's consumer groups and whether trimming took entries one of them had not read. */
    public Map<String, Object> groups(String app, String tenantId) {
        applications.requireTenantAndApp(tenantId, app);
        return groupWatch.describe(Channels.stream(app, tenantId));
    }

    /** Oldest first, at most {@code count} (1–1000, default 10) of the newest entries. */
    public Map<String, Object> tail(String app, String tenantId, String count) {
        applications.requireTenantAndApp(tenantId, app);
        int n = RelayAdmin.intParam("count", count, 10, 1, RelayAdmin.MAX_LIMIT);
        String stream = Channels.stream(app, tenantId);
        List<MapRecord<String, Object, Object>> newestFirst = redis.opsForStream()
                .reverseRange(stream, Range.unbounded(), Limit.limit().count(n));
        List<Map<String, Object>> events = new ArrayList<>();
        if (newestFirst != null) {
            for (int i = newestFirst.size() - 1; i >= 0; i--) {
                MapRecord<String, Object, Object> entry = newestFirst.get(i);
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("streamId", entry.getId().getValue());
                item.put("event", parse((String) entry.getValue().get("event")));
                events.add(item);
            }
        }
        Long length = redis.opsForStream().size(stream);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stream", stream);
        out.put("length", length == null ? 0 : length);
        out.put("events", events);
        return out;
    }

    private Map<String, Object> parse(String json) {
        try {
            return mapper.readValue(json, MAP);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
