// Importing a producer's file (JSON, NDJSON, CSV, XLSX in the data·inclusion v1 schema) into the store.
export { importFile, importRecords, type ImportOptions } from './importer';
export { summaryLines, type ImportReport, type Problem } from './report';
