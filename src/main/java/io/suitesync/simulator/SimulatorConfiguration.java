package io.suitesync.simulator;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/** Profile {@code simulators}: runs both simulated systems on their own ports beside the application. */
@Configuration(proxyBeanMethods = false)
@Profile("simulators")
public class SimulatorConfiguration {

    @Bean(destroyMethod = "close")
    CrmSimulator crmSimulator(SimulatorProperties properties) {
        CrmSimulator crm = new CrmSimulator(properties.crm().port(), properties.crm().apiToken());
        crm.start();
        return crm;
    }

    @Bean(destroyMethod = "close")
    FinanceSimulator financeSimulator(SimulatorProperties properties) {
        SimulatorProperties.Finance finance = properties.finance();
        FinanceSimulator simulator = new FinanceSimulator(finance.port(), finance.username(), finance.password(),
                finance.sessionTtl());
        simulator.start();
        return simulator;
    }
}
