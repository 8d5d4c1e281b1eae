package io.suitesync.bridge;

/** The two systems the bridge keeps in step. */
public enum SystemId {
    CRM,
    FINANCE;

    public SystemId other() {
        return this == CRM ? FINANCE : CRM;
    }

    /** Direction of a change that starts on this system, as written to the sync log. */
    public String directionTo() {
        return this == CRM ? "CRM_TO_FINANCE" : "FINANCE_TO_CRM";
    }
}
