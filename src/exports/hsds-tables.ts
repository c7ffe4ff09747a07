// The HSDS 3.0 tabular package: its tables and their columns, in the specification's order.
// Derived from datapackage.json of the Open Referral specification (github.com/openreferral/specification, branch
// 3.0, commit 279fd2eb3552c349bf698c07c00cc25f5fc8249b), licensed CC BY-SA 4.0 ('Human Services Data
// Specification: an Open Referral resource', https://openreferral.org/); descriptions left out. The vendored
// original is test/fixtures/hsds-3/datapackage.json, and test/exports/hsds-package.test.ts checks this copy against it.

export interface HsdsField {
  name: string;
  type: 'string' | 'number' | 'date' | 'datetime' | 'time';
  format?: 'uuid' | 'uri' | 'email';
  required: boolean;
}

export interface HsdsForeignKey {
  fields: string;
  reference: { resource: string; fields: string };
}

export interface HsdsTable {
  /** The HSDS object the rows are (`organization`, `service`…). */
  name: string;
  /** The CSV file's name in the package (`organizations.csv`). */
  path: string;
  fields: readonly HsdsField[];
  foreignKeys: readonly HsdsForeignKey[];
}

export const HSDS_VERSION = '3.0.0';

export const HSDS_TABLES: readonly HsdsTable[] = [
  {
    name: 'organization',
    path: 'organizations.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'name', type: 'string', required: true },
      { name: 'alternate_name', type: 'string', required: false },
      { name: 'description', type: 'string', required: true },
      { name: 'email', type: 'string', format: 'email', required: false },
      { name: 'website', type: 'string', format: 'uri', required: false },
      { name: 'tax_status', type: 'string', required: false },
      { name: 'tax_id', type: 'string', required: false },
      { name: 'year_incorporated', type: 'number', required: false },
      { name: 'legal_status', type: 'string', required: false },
      { name: 'logo', type: 'string', required: false },
      { name: 'uri', type: 'string', format: 'uri', required: false },
      { name: 'parent_organization_id', type: 'string', format: 'uuid', required: false },
    ],
    foreignKeys: [],
  },
  {
    name: 'program',
    path: 'programs.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'organization_id', type: 'string', format: 'uuid', required: true },
      { name: 'name', type: 'string', required: true },
      { name: 'alternate_name', type: 'string', required: false },
      { name: 'description', type: 'string', required: true },
    ],
    foreignKeys: [{ fields:  'organization_id',  reference:  { resource:  'organization',  fields:  'id' } }],
  },
  {
    name: 'service',
    path: 'services.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'organization_id', type: 'string', format: 'uuid', required: true },
      { name: 'program_id', type: 'string', format: 'uuid', required: false },
      { name: 'name', type: 'string', required: true },
      { name: 'alternate_name', type: 'string', required: false },
      { name: 'description', type: 'string', required: false },
      { name: 'url', type: 'string', format: 'uri', required: false },
      { name: 'email', type: 'string', format: 'email', required: false },
      { name: 'status', type: 'string', required: true },
      { name: 'interpretation_services', type: 'string', required: false },
      { name: 'application_process', type: 'string', required: false },
      { name: 'fees_description', type: 'string', required: false },
      { name: 'wait_time', type: 'string', required: false },
      { name: 'fees', type: 'string', required: false },
      { name: 'accreditations', type: 'string', required: false },
      { name: 'eligibility_description', type: 'string', required: false },
      { name: 'minimum_age', type: 'number', required: false },
      { name: 'maximum_age', type: 'number', required: false },
      { name: 'assured_date', type: 'date', required: false },
      { name: 'assurer_email', type: 'string', format: 'email', required: false },
      { name: 'licenses', type: 'string', required: false },
      { name: 'alert', type: 'string', required: false },
      { name: 'last_modified', type: 'datetime', required: false },
    ],
    foreignKeys: [{ fields:  'organization_id',  reference:  { resource:  'organization',  fields:  'id' } },  { fields:  'program_id',  reference:  { resource:  'program',  fields:  'id' } }],
  },
  {
    name: 'attribute',
    path: 'attributes.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'link_id', type: 'string', format: 'uuid', required: true },
      { name: 'taxonomy_term_id', type: 'string', format: 'uuid', required: true },
      { name: 'link_type', type: 'string', required: false },
      { name: 'link_entity', type: 'string', required: true },
      { name: 'value', type: 'string', required: false },
    ],
    foreignKeys: [{ fields:  'taxonomy_term_id',  reference:  { resource:  'taxonomy_term',  fields:  'id' } }],
  },
  {
    name: 'service_at_location',
    path: 'service_at_location.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'service_id', type: 'string', format: 'uuid', required: true },
      { name: 'location_id', type: 'string', format: 'uuid', required: true },
      { name: 'description', type: 'string', required: false },
    ],
    foreignKeys: [{ fields:  'service_id',  reference:  { resource:  'service',  fields:  'id' } },  { fields:  'location_id',  reference:  { resource:  'location',  fields:  'id' } }],
  },
  {
    name: 'location',
    path: 'locations.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'location_type', type: 'string', required: true },
      { name: 'url', type: 'string', format: 'uri', required: false },
      { name: 'organization_id', type: 'string', format: 'uuid', required: false },
      { name: 'name', type: 'string', required: false },
      { name: 'alternate_name', type: 'string', required: false },
      { name: 'description', type: 'string', required: false },
      { name: 'transportation', type: 'string', required: false },
      { name: 'latitude', type: 'number', required: false },
      { name: 'longitude', type: 'number', required: false },
      { name: 'external_identifier', type: 'string', required: false },
      { name: 'external_identifier_type', type: 'string', required: false },
    ],
    foreignKeys: [{ fields:  'organization_id',  reference:  { resource:  'organization',  fields:  'id' } }],
  },
  {
    name: 'phone',
    path: 'phones.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'location_id', type: 'string', format: 'uuid', required: false },
      { name: 'service_id', type: 'string', format: 'uuid', required: false },
      { name: 'organization_id', type: 'string', format: 'uuid', required: false },
      { name: 'contact_id', type: 'string', format: 'uuid', required: false },
      { name: 'service_at_location_id', type: 'string', format: 'uuid', required: false },
      { name: 'number', type: 'string', required: true },
      { name: 'extension', type: 'number', required: false },
      { name: 'type', type: 'string', required: false },
      { name: 'description', type: 'string', required: false },
    ],
    foreignKeys: [{ fields:  'contact_id',  reference:  { resource:  'contact',  fields:  'id' } },  { fields:  'location_id',  reference:  { resource:  'location',  fields:  'id' } },  { fields:  'organization_id',  reference:  { resource:  'organization',  fields:  'id' } },  { fields:  'service_id',  reference:  { resource:  'service',  fields:  'id' } },  { fields:  'service_at_location_id',  reference:  { resource:  'service_at_location',  fields:  'id' } }],
  },
  {
    name: 'contact',
    path: 'contacts.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'organization_id', type: 'string', format: 'uuid', required: false },
      { name: 'service_id', type: 'string', format: 'uuid', required: false },
      { name: 'service_at_location_id', type: 'string', format: 'uuid', required: false },
      { name: 'location_id', type: 'string', format: 'uuid', required: false },
      { name: 'name', type: 'string', required: false },
      { name: 'title', type: 'string', required: false },
      { name: 'department', type: 'string', required: false },
      { name: 'email', type: 'string', format: 'email', required: false },
    ],
    foreignKeys: [{ fields:  'location_id',  reference:  { resource:  'location',  fields:  'id' } },  { fields:  'organization_id',  reference:  { resource:  'organization',  fields:  'id' } },  { fields:  'service_id',  reference:  { resource:  'service',  fields:  'id' } },  { fields:  'service_at_location_id',  reference:  { resource:  'service_at_location',  fields:  'id' } }],
  },
  {
    name: 'address',
    path: 'addresses.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'location_id', type: 'string', format: 'uuid', required: false },
      { name: 'attention', type: 'string', required: false },
      { name: 'address_1', type: 'string', required: true },
      { name: 'address_2', type: 'string', required: false },
      { name: 'city', type: 'string', required: true },
      { name: 'region', type: 'string', required: false },
      { name: 'state_province', type: 'string', required: true },
      { name: 'postal_code', type: 'string', required: true },
      { name: 'country', type: 'string', required: true },
      { name: 'address_type', type: 'string', required: true },
    ],
    foreignKeys: [{ fields:  'location_id',  reference:  { resource:  'location',  fields:  'id' } }],
  },
  {
    name: 'schedule',
    path: 'schedules.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'service_id', type: 'string', format: 'uuid', required: false },
      { name: 'location_id', type: 'string', format: 'uuid', required: false },
      { name: 'service_at_location_id', type: 'string', format: 'uuid', required: false },
      { name: 'valid_from', type: 'date', required: false },
      { name: 'valid_to', type: 'date', required: false },
      { name: 'dtstart', type: 'date', required: false },
      { name: 'timezone', type: 'number', required: false },
      { name: 'until', type: 'date', required: false },
      { name: 'count', type: 'number', required: false },
      { name: 'wkst', type: 'string', required: false },
      { name: 'freq', type: 'string', required: false },
      { name: 'interval', type: 'number', required: false },
      { name: 'byday', type: 'string', required: false },
      { name: 'byweekno', type: 'string', required: false },
      { name: 'bymonthday', type: 'string', required: false },
      { name: 'byyearday', type: 'string', required: false },
      { name: 'description', type: 'string', required: false },
      { name: 'opens_at', type: 'time', required: false },
      { name: 'closes_at', type: 'time', required: false },
      { name: 'schedule_link', type: 'string', format: 'uri', required: false },
      { name: 'attending_type', type: 'string', required: false },
      { name: 'notes', type: 'string', required: false },
    ],
    foreignKeys: [{ fields:  'location_id',  reference:  { resource:  'location',  fields:  'id' } },  { fields:  'service_id',  reference:  { resource:  'service',  fields:  'id' } },  { fields:  'service_at_location_id',  reference:  { resource:  'service_at_location',  fields:  'id' } }],
  },
  {
    name: 'funding',
    path: 'funding.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'organization_id', type: 'string', format: 'uuid', required: false },
      { name: 'service_id', type: 'string', format: 'uuid', required: false },
      { name: 'source', type: 'string', required: false },
    ],
    foreignKeys: [{ fields:  'organization_id',  reference:  { resource:  'organization',  fields:  'id' } },  { fields:  'service_id',  reference:  { resource:  'service',  fields:  'id' } }],
  },
  {
    name: 'service_area',
    path: 'service_areas.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'service_id', type: 'string', format: 'uuid', required: false },
      { name: 'name', type: 'string', required: false },
      { name: 'description', type: 'string', required: false },
      { name: 'extent', type: 'string', required: false },
      { name: 'extent_type', type: 'string', required: false },
      { name: 'uri', type: 'string', required: false },
    ],
    foreignKeys: [{ fields:  'service_id',  reference:  { resource:  'service',  fields:  'id' } }],
  },
  {
    name: 'required_document',
    path: 'required_documents.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'service_id', type: 'string', format: 'uuid', required: false },
      { name: 'document', type: 'string', required: false },
      { name: 'uri', type: 'string', format: 'uri', required: false },
    ],
    foreignKeys: [{ fields:  'service_id',  reference:  { resource:  'service',  fields:  'id' } }],
  },
  {
    name: 'language',
    path: 'languages.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'service_id', type: 'string', format: 'uuid', required: false },
      { name: 'location_id', type: 'string', format: 'uuid', required: false },
      { name: 'phone_id', type: 'string', format: 'uuid', required: false },
      { name: 'name', type: 'string', required: false },
      { name: 'code', type: 'string', required: false },
      { name: 'note', type: 'string', required: false },
    ],
    foreignKeys: [{ fields:  'location_id',  reference:  { resource:  'location',  fields:  'id' } },  { fields:  'phone_id',  reference:  { resource:  'phone',  fields:  'id' } },  { fields:  'service_id',  reference:  { resource:  'service',  fields:  'id' } }],
  },
  {
    name: 'accessibility',
    path: 'accessibility.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'location_id', type: 'string', format: 'uuid', required: false },
      { name: 'description', type: 'string', required: false },
      { name: 'details', type: 'string', required: false },
      { name: 'url', type: 'string', format: 'uri', required: false },
    ],
    foreignKeys: [{ fields:  'location_id',  reference:  { resource:  'location',  fields:  'id' } }],
  },
  {
    name: 'taxonomy_term',
    path: 'taxonomy_terms.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'code', type: 'string', required: false },
      { name: 'name', type: 'string', required: true },
      { name: 'description', type: 'string', required: true },
      { name: 'parent_id', type: 'string', format: 'uuid', required: false },
      { name: 'taxonomy', type: 'string', required: false },
      { name: 'language', type: 'string', required: false },
      { name: 'taxonomy_id', type: 'string', format: 'uuid', required: false },
      { name: 'term_uri', type: 'string', format: 'uri', required: false },
    ],
    foreignKeys: [{ fields:  'taxonomy_id',  reference:  { resource:  'taxonomy',  fields:  'id' } }],
  },
  {
    name: 'metadata',
    path: 'metadata.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'resource_id', type: 'string', format: 'uuid', required: true },
      { name: 'resource_type', type: 'string', required: true },
      { name: 'last_action_date', type: 'date', required: true },
      { name: 'last_action_type', type: 'string', required: true },
      { name: 'field_name', type: 'string', required: true },
      { name: 'previous_value', type: 'string', required: true },
      { name: 'replacement_value', type: 'string', required: true },
      { name: 'updated_by', type: 'string', required: true },
    ],
    foreignKeys: [],
  },
  {
    name: 'meta_table_description',
    path: 'meta_table_descriptions.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'name', type: 'string', required: false },
      { name: 'language', type: 'string', required: false },
      { name: 'character_set', type: 'string', required: false },
    ],
    foreignKeys: [],
  },
  {
    name: 'cost_option',
    path: 'cost_options.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'service_id', type: 'string', format: 'uuid', required: true },
      { name: 'valid_from', type: 'date', required: false },
      { name: 'valid_to', type: 'date', required: false },
      { name: 'option', type: 'string', required: false },
      { name: 'currency', type: 'string', required: false },
      { name: 'amount', type: 'number', required: false },
      { name: 'amount_description', type: 'string', required: false },
    ],
    foreignKeys: [{ fields:  'service_id',  reference:  { resource:  'service',  fields:  'id' } }],
  },
  {
    name: 'organization_identifier',
    path: 'organization_identifiers.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'organization_id', type: 'string', format: 'uuid', required: true },
      { name: 'identifier_scheme', type: 'string', required: false },
      { name: 'identifier_type', type: 'string', required: true },
      { name: 'identifier', type: 'string', required: true },
    ],
    foreignKeys: [{ fields:  'organization_id',  reference:  { resource:  'organization',  fields:  'id' } }],
  },
  {
    name: 'taxonomy',
    path: 'taxonomies.csv',
    fields: [
      { name: 'id', type: 'string', format: 'uuid', required: true },
      { name: 'name', type: 'string', required: true },
      { name: 'description', type: 'string', required: true },
      { name: 'uri', type: 'string', format: 'uri', required: false },
      { name: 'version', type: 'string', required: false },
    ],
    foreignKeys: [],
  },
];
