package io.suitesync.bridge.connector;

import java.util.List;
import java.util.Map;

/** One page of records changed since a point, oldest first. */
public record ChangePage(List<Map<String, Object>> items, boolean hasMore) {}
