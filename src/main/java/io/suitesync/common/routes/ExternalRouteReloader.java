package io.suitesync.common.routes;

import io.suitesync.common.routes.RouteFileCheck.FileContent;
import io.suitesync.common.routes.RouteFileCheck.FileRoute;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.EventHelper;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's route watcher on the operators' routes folder, applying one changed file at a time, so a
 * mistake in a file never touches the routes of the others nor the built-in ones:
 * <ul>
 *   <li>the file is parsed first; a file that does not parse, or that {@link RouteFileCheck} refuses
 *       (no id, a built-in or another file's id, REST or route configurations), changes nothing;</li>
 *   <li>its routes then replace the previous version's (by id), routes dropped from the file stop;
 *       if they fail to start, the previous version is put back;</li>
 *   <li>a deleted file stops its routes.</li>
 * </ul>
 * Each outcome is one log line naming the file. Camel's own {@code camel.main.routes-reload-*} would
 * install a watcher without these checks (and by default restart every route, the relay included).
 */
public class ExternalRouteReloader extends RouteWatcherReloadStrategy {

    private static final Logger log = LoggerFactory.getLogger(ExternalRouteReloader.class);

    private final Path folder;

    public ExternalRouteReloader(Path folder) {
        super(folder.toString(), false);
        this.folder = folder;
        setPattern("*.yaml,*.xml");
        setRemoveAllRoutes(false);
        setResourceReload((name, resource) -> apply(resource));
    }

    @Override
    protected String startupMessage(File dir) {
        return "operators' route files are applied when they change (folder " + dir + ")";
    }

    /** Applies the file's current content (or its deletion); never throws, every outcome is logged. */
    void apply(Resource resource) {
        Path file = fileOf(resource).orElseThrow();
        String name = folder.relativize(file).toString();
        CamelContext camel = getCamelContext();
        Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
        List<RouteDefinition> previous = model.getRouteDefinitions().stream()
                .filter(d -> fileOf(d.getResource()).filter(file::equals).isPresent()).toList();
        Set<String> previousIds = ids(previous);
        try {
            if (!Files.exists(file)) {
                model.removeRouteDefinitions(previous);
                log.info("route file {} deleted: stopped its routes {}", name, previousIds);
                return;
            }
            FileContent content = parse(camel, resource);
            List<String> problems = RouteFileCheck.problems(name, content, builtInIds(camel), ownersById(camel));
            if (!problems.isEmpty()) {
                log.error("route file {} refused: {}; {}", name, String.join("; ", problems), running(previousIds));
                return;
            }
            Set<String> ids = new LinkedHashSet<>();
            content.routes().forEach(r -> ids.add(r.id()));
            replace(camel, model, resource, name, previous, ids);
        } catch (Exception e) {
            log.error("route file {} refused: {}; {}", name, rootMessage(e), running(previousIds));
        }
    }

    private void replace(CamelContext camel, Model model, Resource resource, String name,
                         List<RouteDefinition> previous, Set<String> ids) throws Exception {
        try {
            PluginHelper.getRoutesLoader(camel).updateRoutes(List.of(resource));
        } catch (Exception e) {
            restore(model, previous, ids);
            log.error("route file {} refused: its routes did not start: {}; {}", name, rootMessage(e),
                    running(ids(previous)));
            return;
        }
        List<RouteDefinition> dropped = previous.stream().filter(d -> !ids.contains(d.getRouteId())).toList();
        model.removeRouteDefinitions(dropped);
        log.info("route file {} applied: running {}{}", name, ids, dropped.isEmpty() ? "" : ", stopped " + ids(dropped));
        int index = 1;
        for (String id : ids) {
            EventHelper.notifyRouteReloaded(camel, camel.getRoute(id), index++, ids.size());
        }
    }

    /** Takes out whatever the failed update left of the new routes and starts the previous ones again. */
    private static void restore(Model model, List<RouteDefinition> previous, Set<String> ids) throws Exception {
        for (String id : ids) {
            RouteDefinition added = model.getRouteDefinition(id);
            if (added != null) {
                model.removeRouteDefinition(added);
            }
        }
        model.addRouteDefinitions(previous.stream().filter(d -> ids.contains(d.getRouteId())).toList());
    }

    /** Parses the file without adding anything to Camel. */
    private static FileContent parse(CamelContext camel, Resource resource) throws Exception {
        List<FileRoute> routes = new ArrayList<>();
        boolean rest = false;
        boolean configuration = false;
        for (RoutesBuilder builder : PluginHelper.getRoutesLoader(camel).findRoutesBuilders(List.of(resource))) {
            if (builder instanceof RouteBuilder routeBuilder) {
                for (RouteDefinition route : routeBuilder.configureRoutes(camel).getRoutes()) {
                    routes.add(new FileRoute(route.getRouteId(),
                            route.getInput() == null ? null : route.getInput().getEndpointUri()));
                }
                rest |= !routeBuilder.getRestCollection().getRests().isEmpty();
            }
            if (builder instanceof RouteConfigurationBuilder configurationBuilder) {
                configurationBuilder.configuration();
                configuration |= !configurationBuilder.getRouteConfigurationCollection().getRouteConfigurations().isEmpty();
            }
        }
        return new FileContent(routes, rest, configuration);
    }

    private Set<String> builtInIds(CamelContext camel) {
        Set<String> ids = new HashSet<>();
        for (Route route : camel.getRoutes()) {
            if (fileOf(route.getSourceResource()).filter(f -> f.startsWith(folder)).isEmpty()) {
                ids.add(route.getRouteId());
            }
        }
        return ids;
    }

    private Map<String, String> ownersById(CamelContext camel) {
        Map<String, String> owners = new HashMap<>();
        for (Route route : camel.getRoutes()) {
            fileOf(route.getSourceResource()).filter(f -> f.startsWith(folder))
                    .ifPresent(f -> owners.put(route.getRouteId(), folder.relativize(f).toString()));
        }
        return owners;
    }

    private static Optional<Path> fileOf(Resource resource) {
        if (resource == null || resource.getLocation() == null || !resource.getLocation().startsWith("file:")) {
            return Optional.empty();
        }
        return Optional.of(Path.of(resource.getLocation().substring("file:".length())).toAbsolutePath().normalize());
    }

    private static Set<String> ids(List<RouteDefinition> definitions) {
        Set<String> ids = new LinkedHashSet<>();
        definitions.forEach(d -> ids.add(d.getRouteId()));
        return ids;
    }

    private static String running(Set<String> ids) {
        return ids.isEmpty() ? "nothing runs from it" : "still running from it: " + ids;
    }

    /** The innermost cause's message: for a YAML mistake, the parser's line and column. */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s+", " ").replaceAll("[.\\s]+$", "");
    }
}
