import type { Context } from '../context';
import type { CommuneModel, SourceModel } from './models';

/** Fields structures and services share. */
export async function sourceOf(slug: string, ctx: Context): Promise<SourceModel> {
  return (await ctx.loaders.sourceBySlug.load(slug)) ?? { slug, nom: slug, description: null };
}

export function territoireOf(codeInsee: string | null, ctx: Context): Promise<CommuneModel | null> | null {
  return codeInsee ? ctx.loaders.communeByCode.load(codeInsee.trim()) : null;
}
