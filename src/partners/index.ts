// The partner connectors, one module each, behind `Connector`: createConnector picks the module of a
// partner's declared type.
import type { Logger } from '../logger';
import { createDataInclusionConnector } from './data-inclusion';
import { createDoraConnector } from './dora';
import { createEmploisConnector } from './emplois';
import { createSoliguideConnector } from './soliguide';
import type { Connector, ConnectorOptions, PartnerConfig, PartnerTransport, PartnerType } from './types';

const FACTORIES: Readonly<
  Record<PartnerType, (partner: PartnerConfig, transport: PartnerTransport, logger: Logger, options?: ConnectorOptions) => Connector>
> = {
  'data-inclusion': createDataInclusionConnector,
  dora: createDoraConnector,
  soliguide: createSoliguideConnector,
  emplois: createEmploisConnector,
};

export function createConnector(
  partner: PartnerConfig,
  transport: PartnerTransport,
  logger: Logger,
  options: ConnectorOptions = {},
): Connector {
  const factory = Object.prototype.hasOwnProperty.call(FACTORIES, partner.type) ? FACTORIES[partner.type] : undefined;
  if (!factory) throw new TypeError(`partner ${partner.id}: unknown type ${JSON.stringify(partner.type)}`);
  return factory(partner, transport, logger, options);
}
