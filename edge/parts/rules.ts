import type { Runtime } from '../runtime.js';
import { RulesEngine } from '../rules/engine.js';
import { configuredRules, parseRulesConfig } from '../rules/config.js';
import { gatewayIdentity, type Part } from './part.js';

/** EBA alarm rules on the box, fed by the registry's value and status events; before the drivers, so no report goes unseen. */
export function rulesPart(rt: Runtime): Part | undefined {
  const config = parseRulesConfig(rt.config.rules);
  if (!config.enabled) return undefined;
  return {
    name: 'rules',
    start: async () => {
      const rules = new RulesEngine(
        {
          db: rt.db,
          events: rt.events,
          registry: rt.registry,
          log: rt.logOf('rules'),
          publish: (topic, payload, retain) => rt.busTransport?.publish(topic, payload, retain),
          gateway: gatewayIdentity(rt.config),
        },
        { openListed: config.openListed },
      );
      for (const raw of configuredRules(config, rt.baseDir)) {
        const r = rules.addOrUpdate(raw, 'file');
        if (!r.ok) rt.log.error({ comp: 'rules', problems: r.problems }, 'alarm rule of the config refused');
      }
      await rules.start();
      rt.rules = rules;
    },
    stop: async () => {
      await rt.rules?.stop();
    },
  };
}
