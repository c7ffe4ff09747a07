/**
 * The one walk of an operation's selections that every query limit measures with (depth, aliases, cost,
 * representations). A limit says what a field is worth given what it selects (`field`), and how the parts
 * of one selection set add up (`join`); the walk follows the document the same way for all of them:
 * - named and inline fragments are followed; a named fragment is measured once, however often it is spread,
 *   so measuring costs the document's size, never its expansion (`...F` twice in F1, F1 twice in F2, …);
 * - a fragment spread inside itself, or unknown, is skipped (NoFragmentCyclesRule and KnownFragmentNamesRule
 *   report those), as is a field the schema does not have (FieldsOnCorrectTypeRule);
 * - each field comes with its definition (introspection's `__schema`, `__type`, `__typename` included) and
 *   its argument values, with the request's variables when they are known;
 * - with the request's variables, a selection that `@skip` or `@include` leaves out is not measured (it will
 *   not run); while validating, before variables exist, every selection is.
 */
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getVariableValues,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/** One operation, as a limit sees it. */
export interface OperationScope {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  /** The request's variables, coerced (defaults applied); undefined while validating the document alone. */
  variables?: Readonly<Record<string, unknown>>;
}

/** A field reached by the walk. */
export interface SelectedField {
  node: FieldNode;
  /** Its definition; undefined when the schema has no such field (validation reports it). */
  definition?: GraphQLField<unknown, unknown>;
  /** The type it is selected on. */
  parent?: GraphQLCompositeType;
  /** Its argument values (with the request's variables, when known); undefined when they do not coerce. */
  args(): Record<string, unknown> | undefined;
}

/** One part of a selection set: a field, or a fragment (named or inline) with everything it selects. */
export interface Part<T> {
  kind: 'field' | 'fragment';
  value: T;
  /** The type the part applies to: the selection set's own for a field, the type condition for a fragment. */
  type?: GraphQLCompositeType;
}

export interface Measure<T> {
  /** What a field is worth; `selections()` measures what it selects (call it only when needed). */
  field(field: SelectedField, selections: () => T): T;
  /** What a selection set is worth, from its parts (none for a field that selects nothing); `type` is the set's own. */
  join(parts: readonly Part<T>[], type: GraphQLCompositeType | undefined): T;
}

/** The scope of the document alone, before variables exist (validation). */
export function documentScope(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): OperationScope {
  return { schema, operation, fragments: fragmentsOf(document) };
}

/** The scope of a validation rule. */
export function validationScope(context: ValidationContext, operation: OperationDefinitionNode): OperationScope {
  return documentScope(context.getSchema(), context.getDocument(), operation);
}

/** The scope of a request, with its variables; undefined when they do not coerce (execution refuses them: BAD_USER_INPUT). */
export function requestScope(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
): OperationScope | undefined {
  const { coerced, errors } = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  if (errors || !coerced) return undefined;
  return { schema, operation, fragments: fragmentsOf(document), variables: coerced };
}

/** The operation's value for one measure. */
export function measureOperation<T>(scope: OperationScope, measure: Measure<T>): T {
  const { schema, fragments, variables } = scope;
  const fragmentValues = new Map<string, T>();
  const visiting = new Set<string>();

  const selectionSet = (set: SelectionSetNode | undefined, type: GraphQLCompositeType | undefined): T => {
    const parts: Part<T>[] = [];
    for (const selection of set?.selections ?? []) {
      if (!included(selection, variables)) continue;
      if (selection.kind === Kind.FIELD) {
        const definition = type && fieldDefinition(schema, type, selection.name.value);
        const returned = definition && getNamedType(definition.type);
        const field: SelectedField = {
          node: selection,
          definition,
          parent: type,
          args: () => argumentValues(definition, selection, variables),
        };
        const selections = () => selectionSet(selection.selectionSet, isCompositeType(returned) ? returned : undefined);
        parts.push({ kind: 'field', value: measure.field(field, selections), type });
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? compositeType(schema, selection.typeCondition.name.value) : type;
        parts.push({ kind: 'fragment', value: selectionSet(selection.selectionSet, on), type: on });
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue;
        const on = compositeType(schema, fragment.typeCondition.name.value);
        if (!fragmentValues.has(name)) {
          visiting.add(name);
          fragmentValues.set(name, selectionSet(fragment.selectionSet, on));
          visiting.delete(name);
        }
        parts.push({ kind: 'fragment', value: fragmentValues.get(name)!, type: on });
      }
    }
    return measure.join(parts, type);
  };

  return selectionSet(scope.operation.selectionSet, schema.getRootType(scope.operation.operation) ?? undefined);
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

function compositeType(schema: GraphQLSchema, name: string): GraphQLCompositeType | undefined {
  const type = schema.getType(name);
  return isCompositeType(type) ? type : undefined;
}

function fieldDefinition(schema: GraphQLSchema, type: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === SchemaMetaFieldDef.name && type === schema.getQueryType()) return SchemaMetaFieldDef;
  if (name === TypeMetaFieldDef.name && type === schema.getQueryType()) return TypeMetaFieldDef;
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
}

function argumentValues(
  definition: GraphQLField<unknown, unknown> | undefined,
  node: FieldNode,
  variables: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> | undefined {
  if (!definition) return undefined;
  try {
    return getArgumentValues(definition, node, variables as Record<string, unknown> | undefined);
  } catch {
    return undefined; // execution reports it
  }
}

/** False when the request's variables make `@skip`/`@include` leave the selection out; always true while validating. */
function included(selection: FieldNode | FragmentSpreadNode | InlineFragmentNode, variables: Readonly<Record<string, unknown>> | undefined): boolean {
  if (!variables || !selection.directives?.length) return true;
  const coerced = variables as Record<string, unknown>;
  if (getDirectiveValues(GraphQLSkipDirective, selection, coerced)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, selection, coerced)?.if !== false;
}
