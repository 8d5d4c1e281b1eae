package io.suitesync.hub.admin;

/** Body of {@code POST .../toggle}: {@code isEnabled} required, {@code skipHistoricalSync} defaults to false. */
public record ToggleRequest(Boolean isEnabled, Boolean skipHistoricalSync) {}
