package io.suitesync.hub.admin;

/**
 * Body of {@code POST .../sync-historical}; every field is optional: all kinds are sent unless set
 * to false, {@code sinceDate} (ISO-8601 date or date-time) limits them to records created since.
 */
public record SyncHistoricalRequest(Boolean syncCredits, Boolean syncOrganizations, Boolean syncAssignments,
                                    Boolean dryRun, String sinceDate) {}
