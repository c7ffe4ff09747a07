import type { Context } from '../context';
import type { CommuneModel, LiveOrigin, ProvenanceModel, SourceModel } from '../domain/models';

/** Fields structures and services share. */
export async function sourceOf(slug: string, ctx: Context): Promise<SourceModel> {
  return (await ctx.loaders.sourceBySlug.load(slug)) ?? { slug, nom: slug, description: null };
}

export function provenanceOf(record: { source: string; updatedAt: Date; origin?: LiveOrigin }): ProvenanceModel {
  return record.origin
    ? { source: record.source, partner: record.origin.partner, fetchedAt: record.origin.fetchedAt, live: true }
    : { source: record.source, partner: null, fetchedAt: record.updatedAt, live: false };
}

export function territoireOf(codeInsee: string | null, ctx: Context): Promise<CommuneModel | null> | null {
  return codeInsee ? ctx.loaders.communeByCode.load(codeInsee.trim()) : null;
}
