package io.suitesync.testsupport;

import java.util.List;
import org.apache.camel.CamelContext;

/** Stops and starts the relay: the claim routes of both its lanes (routes/hub/change-log-relay.camel.yaml). */
public final class RelayRoutes {

    /** The bulk lane's and the live lane's claim routes. */
    public static final List<String> CLAIMS = List.of("change-log-relay", "change-log-live");

    private RelayRoutes() {}

    /** No claim runs after this returns; batches already claimed are published first. */
    public static void stop(CamelContext camel) throws Exception {
        for (String route : CLAIMS) {
            camel.getRouteController().stopRoute(route);
        }
    }

    public static void start(CamelContext camel) throws Exception {
        for (String route : CLAIMS) {
            camel.getRouteController().startRoute(route);
        }
    }
}
