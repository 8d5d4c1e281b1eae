package io.suitesync.hub.admin;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * One hub with the admin API on a random port, shared (Spring's context cache) by the admin and
 * backfill tests: known admin and read keys, and small backfill pages so every job spans many.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "suitesync.security.admin-api-key=" + AdminClient.ADMIN_KEY,
        "suitesync.security.admin-user=ops",
        "suitesync.security.admin-password=" + AdminClient.ADMIN_PASSWORD,
        "suitesync.security.read-keys=crm=" + AdminClient.CRM_READ_KEY,
        "suitesync.backfill.batch-size=50"})
public @interface AdminApiTest {}
