package io.suitesync.hub.admin;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.common.Channels;
import io.suitesync.common.ConditionalOnRole;
import io.suitesync.common.web.ApiException;
import io.suitesync.hub.relay.StreamGroupWatch;
import io.suitesync.common.web.RequestParams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
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

    /** How many of the newest entries a filtered tail looks at, at most. */
    static final int FILTER_SCAN = 10_000;
    private static final int SCAN_PAGE = 500;

    /**
     * Oldest first, at most {@code count} (1–1000, default 10) of the newest entries; with
     * {@code eventType} only those of that type, or of that family when it ends with a dot
     * ({@code credit.}), among the newest {@value #FILTER_SCAN} entries.
     */
    public Map<String, Object> tail(String app, String tenantId, String count, String eventType) {
        applications.requireTenantAndApp(tenantId, app);
        int n = RequestParams.intParam("count", count, 10, 1, RelayAdmin.MAX_LIMIT);
        String type = eventType == null || eventType.isBlank() ? null : eventType.trim();
        if (type != null && type.length() > 100) {
            throw ApiException.badRequest("query parameter 'eventType' must be at most 100 characters");
        }
        String stream = Channels.stream(app, tenantId);
        List<Map<String, Object>> newestFirst = new ArrayList<>();
        Range<String> range = Range.unbounded();
        int scanned = 0;
        while (newestFirst.size() < n && scanned < FILTER_SCAN) {
            int page = type == null ? n : SCAN_PAGE;
            List<MapRecord<String, Object, Object>> entries = redis.opsForStream()
                    .reverseRange(stream, range, Limit.limit().count(page));
            if (entries == null || entries.isEmpty()) {
                break;
            }
            for (MapRecord<String, Object, Object> entry : entries) {
                Map<String, Object> event = parse((String) entry.getValue().get("event"));
                if (newestFirst.size() < n && matches(type, event.get("eventType"))) {
                    Map<String, Object> item = new LinkedHashMap<>();
                    item.put("streamId", entry.getId().getValue());
                    item.put("event", event);
                    newestFirst.add(item);
                }
            }
            scanned += entries.size();
            if (type == null || entries.size() < page) {
                break;
            }
            range = Range.leftUnbounded(Range.Bound.exclusive(entries.get(entries.size() - 1).getId().getValue()));
        }
        List<Map<String, Object>> events = new ArrayList<>(newestFirst);
        Collections.reverse(events);
        Long length = redis.opsForStream().size(stream);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stream", stream);
        out.put("length", length == null ? 0 : length);
        out.put("events", events);
        return out;
    }

    /** No filter, the exact type, or a family ({@code credit.} matches {@code credit.allocated}). */
    static boolean matches(String filter, Object eventType) {
        if (filter == null) {
            return true;
        }
        String type = eventType == null ? "" : eventType.toString();
        return filter.endsWith(".") ? type.startsWith(filter) : type.equals(filter);
    }

    private Map<String, Object> parse(String json) {
        try {
            return mapper.readValue(json, MAP);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
