// The partner types, one descriptor each (its module's export): the config's `type` values, the transport's
// Authorization scheme and the connector factory all derive from this table, which the compiler keeps
// complete (one descriptor per PartnerType, under its own name).
import type { Logger } from '../logger';
import { dataInclusionPartner } from './data-inclusion';
import { doraPartner } from './dora';
import { emploisPartner } from './emplois';
import { soliguidePartner } from './soliguide';
import type { Connector, ConnectorOptions, PartnerConfig, PartnerDescriptor, PartnerTransport, PartnerType } from './types';

export const PARTNER_DESCRIPTORS: { readonly [T in PartnerType]: PartnerDescriptor<T> } = {
  'data-inclusion': dataInclusionPartner,
  dora: doraPartner,
  soliguide: soliguidePartner,
  emplois: emploisPartner,
};

/** Every partner type, as `passerelle.config.json` names them. */
export const PARTNER_TYPES = Object.keys(PARTNER_DESCRIPTORS) as [PartnerType, ...PartnerType[]];

export function descriptorOf(type: string): PartnerDescriptor | undefined {
  return Object.prototype.hasOwnProperty.call(PARTNER_DESCRIPTORS, type) ? PARTNER_DESCRIPTORS[type as PartnerType] : undefined;
}

export function createConnector(
  partner: PartnerConfig,
  transport: PartnerTransport,
  logger: Logger,
  options: ConnectorOptions = {},
): Connector {
  const descriptor = descriptorOf(partner.type);
  if (!descriptor) throw new TypeError(`partner ${partner.id}: unknown type ${JSON.stringify(partner.type)}`);
  return descriptor.create(partner, transport, logger, options);
}
