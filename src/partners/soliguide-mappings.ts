// Soliguide → data·inclusion v1 mapping tables, as data.
//
// Transcribed once (mechanically, row for row) from data·inclusion's own Soliguide mapping:
//   gip-inclusion/data-inclusion @ d4969e37 (2026-06-30)
//   - pipeline/dbt/models/intermediate/v1/001_mappings/soliguide/_map_soliguide__thematiques_v1.sql  → DI_THEMATIQUES
//   - pipeline/dbt/models/intermediate/v1/001_mappings/soliguide/_map_soliguide__types_v1.sql        → DI_TYPES
//   - pipeline/dbt/models/intermediate/v1/001_mappings/soliguide/_map_soliguide__publics_v1.sql      → DI_PUBLICS
//   - pipeline/dbt/models/intermediate/v1/001_mappings/soliguide/_map_soliguide__reseaux_porteurs_v1.sql → DI_RESEAUX_PORTEURS
//   - pipeline/dbt/models/staging/sources/soliguide/stg_soliguide__categories.sql                    → DI_LABELS
//   - pipeline/dbt/models/staging/sources/soliguide/stg_soliguide__publics.sql                       → PUBLICS_DIMENSIONS
// Against Soliguide's current categories and publics:
//   solinumasso/soliguide @ ef581c26 (2026-08-06)
//   - packages/common/src/categories/enums/Categories.enum.ts (134 codes), constants/CATEGORIES.const.ts (the graph),
//     constants/LEGACY_{HEALTH,MOBILITY}_CATEGORIES_MAPPING.const.ts
//   - packages/common/src/translations/locales/fr.json (`CAT_*` labels) → SOLIGUIDE_FR_LABELS
//   - packages/common/src/publics/enums/*.ts
// Do not edit the DI_* tables by hand: re-transcribe them from a newer data·inclusion commit and change the
// header. Passerelle's own decisions live apart (PASSERELLE_THEMATIQUES, LEGACY_CATEGORIES), each with its reason.

// ---------------------------------------------------------------------------------------------
// Thématiques
// ---------------------------------------------------------------------------------------------

/**
 * `_map_soliguide__thematiques_v1.sql`: category → v1 thématiques. An empty list is a `NULL` row (DI knows the
 * category and gives it no thématique). data·inclusion drops a service whose category has no thématique
 * ("assumed irrelevant": showers, toilets, luggage storage…), and so does Passerelle.
 */
export const DI_THEMATIQUES: Readonly<Record<string, readonly string[]>> = {
  abortion: ['sante--sante-sexuelle'],
  access_to_housing: ['logement-hebergement--acheter-un-logement', 'logement-hebergement--louer-un-logement', 'logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement'],
  addiction_care: ['sante--addictions'],
  addiction_prevention_and_material: ['sante--addictions'],
  administrative_assistance: ['difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives', 'difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits'],
  affective_life: ['famille--surmonter-conflits-separation-violence'],
  baby_parcel: ['famille--soutien-a-la-parentalite-et-a-leducation'],
  babysitting: ['famille--garde-denfants'],
  budget_advice: ['difficultes-financieres--ameliorer-sa-gestion-budgetaire', 'difficultes-financieres--acquerir-une-autonomie-budgetaire', 'difficultes-financieres--situation-dendettement-surendettement'],
  carpooling: ['mobilite--mobilite-douce-partagee-collective'],
  chauffeur_driven_transport: ['mobilite--etre-accompagne-dans-son-parcours-mobilite'],
  child_care: ['famille--garde-denfants'],
  citizen_housing: ['logement-hebergement--rechercher-une-solution-dhebergement-temporaire'],
  clothing: ['equipement-et-alimentation--habillement'],
  community_garden: ['remobilisation--activites-sportives-et-culturelles'],
  computers_at_your_disposal: ['numerique--acceder-a-des-services-en-ligne', 'numerique--acceder-a-une-connexion-internet'],
  contraception: ['sante--sante-sexuelle'],
  cooking_workshop: ['remobilisation--activites-sportives-et-culturelles'],
  day_hosting: ['logement-hebergement--rechercher-une-solution-dhebergement-temporaire', 'remobilisation--lien-social'],
  dental_care: ['sante--acces-aux-soins'],
  digital_tools_training: ['numerique--maitriser-les-fondamentaux-du-numerique'],
  disability_advice: ['difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits', 'sante--constituer-un-dossier-mdph-invalidite', 'difficultes-administratives-ou-juridiques--beneficier-dune-mesure-daccompagnement-adapte'],
  domiciliation: ['difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives'],
  driving_license: ['mobilite--preparer-un-permis'],
  emergency_accommodation: ['logement-hebergement--rechercher-une-solution-dhebergement-temporaire'],
  emergency_contraception: ['sante--sante-sexuelle'],
  family_area: ['famille--soutien-a-la-parentalite-et-a-leducation', 'remobilisation--lien-social'],
  food_distribution: ['equipement-et-alimentation--alimentation'],
  food_packages: ['equipement-et-alimentation--alimentation'],
  food_voucher: ['equipement-et-alimentation--alimentation'],
  french_course: ['lecture-ecriture-calcul--maitriser-le-francais'],
  general_practitioner: ['sante--acces-aux-soins'],
  health_specialists: ['sante--acces-aux-soins'],
  infirmary: ['sante--acces-aux-soins'],
  information_point: ['difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits', 'difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives', 'logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement'],
  integration_through_economic_activity: ['preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi', 'trouver-un-emploi--maintien-dans-lemploi', 'preparer-sa-candidature--valoriser-ses-competences'],
  job_coaching: ['preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi', 'trouver-un-emploi--maintien-dans-lemploi', 'preparer-sa-candidature--valoriser-ses-competences'],
  legal_advice: ['difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire', 'difficultes-administratives-ou-juridiques--connaitre-ses-droits-face-a-une-discrimination', 'difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits'],
  libraries: ['remobilisation--activites-sportives-et-culturelles', 'numerique--acceder-a-une-connexion-internet', 'lecture-ecriture-calcul--maitriser-le-francais'],
  long_term_accomodation: ['logement-hebergement--acheter-un-logement', 'logement-hebergement--louer-un-logement'],
  mental_health_education: ['sante--sante-mentale'],
  mobility_assistance: ['mobilite--etre-accompagne-dans-son-parcours-mobilite'],
  mobility_financing: ['mobilite--financer-ma-mobilite'],
  mobility_support: ['mobilite--etre-accompagne-dans-son-parcours-mobilite'],
  museums: ['remobilisation--activites-sportives-et-culturelles'],
  other_activities: ['remobilisation--activites-sportives-et-culturelles', 'remobilisation--lien-social', 'remobilisation--bien-etre-confiance-en-soi'],
  overnight_stop: ['logement-hebergement--rechercher-une-solution-dhebergement-temporaire'],
  parent_assistance: ['famille--soutien-a-la-parentalite-et-a-leducation', 'famille--garde-denfants', 'remobilisation--lien-social'],
  personal_vehicle_access: ['mobilite--acceder-a-un-vehicule'],
  pregnancy_care: ['sante--sante-sexuelle', 'sante--acces-aux-soins', 'famille--soutien-a-la-parentalite-et-a-leducation'],
  psychological_support: ['sante--sante-mentale', 'remobilisation--bien-etre-confiance-en-soi'],
  public_writer: ['difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives'],
  rest_area: ['logement-hebergement--rechercher-une-solution-dhebergement-temporaire'],
  seated_catering: ['equipement-et-alimentation--alimentation'],
  sexual_health_education: ['sante--sante-sexuelle'],
  sexual_health_vaccination: ['sante--sante-sexuelle'],
  sexual_violence_support: ['sante--sante-sexuelle'],
  shared_kitchen: ['equipement-et-alimentation--alimentation'],
  social_accompaniment: ['logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement', 'equipement-et-alimentation--alimentation', 'difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits', 'difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives', 'remobilisation--lien-social'],
  social_grocery_stores: ['equipement-et-alimentation--alimentation'],
  solidarity_fridge: ['equipement-et-alimentation--alimentation'],
  solidarity_store: ['equipement-et-alimentation--alimentation', 'equipement-et-alimentation--electromenager', 'equipement-et-alimentation--habillement'],
  sport_activities: ['remobilisation--activites-sportives-et-culturelles'],
  std_testing: ['sante--sante-sexuelle'],
  sti_prevention_testing: ['sante--sante-sexuelle'],
  support_groups: ['sante--acces-aux-soins'],
  transportation_mobility: ['mobilite--etre-accompagne-dans-son-parcours-mobilite'],
  tutoring: ['lecture-ecriture-calcul--maitriser-le-francais', 'lecture-ecriture-calcul--maitriser-le-calcul', 'famille--soutien-a-la-parentalite-et-a-leducation'],
  vaccination: ['sante--acces-aux-soins'],
  vehicle_maintenance: ['mobilite--entretenir-reparer-son-vehicule'],
  wellness: ['remobilisation--bien-etre-confiance-en-soi', 'sante--sante-mentale', 'remobilisation--lien-social'],
  wifi: ['numerique--acceder-a-des-services-en-ligne'],
  acupuncture: [],
  allergology: [],
  animal_assitance: [],
  cardiology: [],
  chronic_diseases: [],
  dermatology: [],
  digital_safe: [],
  echography: [],
  electrical_outlets_available: [],
  endocrinology: [],
  face_masks: [],
  find_healthcare: [],
  fountain: [],
  gastroenterology: [],
  gynecology: [],
  health_assessment: [],
  health_coverage: [],
  hearing_care: [],
  hiv_prevention: [],
  hygiene_products: [],
  kinesitherapy: [],
  laundry: [],
  luggage_storage: [],
  mammography: [],
  medical_accommodation: [],
  nutrition: [],
  optical_care: [],
  osteopathy: [],
  otorhinolaryngology: [],
  pedicure: [],
  phlebology: [],
  pneumology: [],
  radiology: [],
  rheumatology: [],
  shower: [],
  speech_therapy: [],
  stomatology: [],
  telephone_at_your_disposal: [],
  therapeutic_activities: [],
  toilets: [],
  urology: [],
  vet_care: [],
};

/**
 * Current Soliguide codes that DI's table lacks (Categories.enum.ts @ ef581c26), each with the reason for its
 * target. Codes of the category graph's inner nodes are normally not put on services (services carry leaf
 * categories); a second-level health node is mapped to the thématique all its mapped children share, so that a
 * service filed there is not lost. The roots (`health`, `food`, `welcome`, `mobility`, …) are left without
 * thématique as DI leaves every other root, and so are `psychiatry` and `hairdresser`, which DI knows (its types
 * and labels tables) and deliberately leaves out of its thématiques table.
 */
export const PASSERELLE_THEMATIQUES: Readonly<Record<string, readonly string[]>> = {
  // "Accès à la santé" (parent of health_coverage, find_healthcare): the v1 thématique of the same meaning.
  health_access: ['sante--acces-aux-soins'],
  // "Santé du corps" (parent of general_practitioner, dental_care, infirmary, vaccination…): DI maps these
  // children to sante--acces-aux-soins.
  physical_health: ['sante--acces-aux-soins'],
  // "Santé mentale" (parent of psychological_support, mental_health_education…): DI maps them to sante--sante-mentale.
  mental_health: ['sante--sante-mentale'],
  // "Addictions" (parent of addiction_care, addiction_prevention_and_material): both are sante--addictions in DI.
  addictions: ['sante--addictions'],
  // "Santé sexuelle" (parent of contraception, abortion, sti_prevention_testing…): sante--sante-sexuelle in DI.
  sexual_health: ['sante--sante-sexuelle'],
  // "Parentalité" (parent of child_care, pregnancy_care, parent_assistance): the thématique DI gives
  // pregnancy_care and parent_assistance alike.
  parenthood: ['famille--soutien-a-la-parentalite-et-a-leducation'],
  // Medical specialities (children of health_specialists, Soliguía ES/AD only): DI gives every speciality
  // (cardiology, dermatology, …) no thématique.
  neurology: [],
  vascular_surgery: [],
  // "Transport / Mobilité": a root of the graph, like food or welcome, which DI leaves without thématique.
  mobility: [],
  // Catalan and Spanish courses (Soliguía ES/AD only): v1 has a thématique for French only
  // (lecture-ecriture-calcul--maitriser-le-francais); no other language course has one.
  catalan_course: [],
  spanish_course: [],
  // "Protection juridique" (counseling, Soliguía AD): a legal-aid service, mapped like legal_advice's
  // access-to-rights thématique.
  legal_protection: ['difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits'],
  // "Régularisation exceptionnelle" (counseling, Soliguía ES): help with a residence-permit application, an
  // administrative procedure.
  regularization: ['difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives'],
  // "Espace fraîcheur" (welcome, FR) and "Refugio climático" (welcome, ES/AD): a heat-wave amenity, like
  // fountain, shower or toilets, which DI gives no thématique (not a housing solution).
  cooling_space: [],
  climate_refuge: [],
};

/**
 * Legacy codes Soliguide still returns to API users who searched with legacy categories (search.routes.ts
 * "Convert … back to legacy format for API users"; never on a national search without categories). Those DI
 * maps are in DI_THEMATIQUES; the others resolve through Soliguide's own LEGACY_*_CATEGORIES_MAPPING to the
 * current code whose DI mapping applies.
 */
export const LEGACY_CATEGORIES: Readonly<Record<string, string>> = {
  addiction: 'addiction_prevention_and_material',
  ophthalmology: 'optical_care',
  provision_of_vehicles: 'personal_vehicle_access',
};

// ---------------------------------------------------------------------------------------------
// Service names
// ---------------------------------------------------------------------------------------------

/** `stg_soliguide__categories.sql`: category → label (the service's `nom`, as DI names it). */
export const DI_LABELS: Readonly<Record<string, string>> = {
  abortion: 'Avortement',
  access_to_housing: 'Conseil logement',
  accomodation_and_housing: 'Hébergement et logement',
  activities: 'Activités',
  acupuncture: 'Acupuncture',
  addiction_care: 'Prise en charge des addictions',
  addiction_prevention_and_material: 'Prévention et matériel contre les addictions',
  administrative_assistance: 'Conseil administratif',
  affective_life: 'Vie affective',
  allergology: 'Allergologie',
  animal_assitance: 'Animaux',
  baby_parcel: 'Colis bébé',
  babysitting: 'Garde d’enfants',
  budget_advice: 'Conseil budget',
  cardiology: 'Cardiologie',
  carpooling: 'Co-voiturage',
  chauffeur_driven_transport: 'Transport avec chauffeur',
  child_care: 'Soins enfants',
  chronic_diseases: 'Maladies chroniques',
  citizen_housing: 'Hébergement citoyen',
  clothing: 'Vêtements',
  community_garden: 'Jardin solidaire',
  computers_at_your_disposal: 'Ordinateur',
  contraception: 'Contraception',
  cooking_workshop: 'Atelier cuisine',
  counseling: 'Conseil',
  day_hosting: 'Accueil de jour',
  dental_care: 'Dentaire',
  dermatology: 'Dermatologie',
  digital_safe: 'Coffre-fort numérique',
  digital_tools_training: 'Atelier numérique',
  disability_advice: 'Conseil handicap',
  domiciliation: 'Domiciliation',
  driving_license: 'Permis de conduire',
  echography: 'Échographie',
  electrical_outlets_available: 'Prise',
  emergency_accommodation: 'Hébergement d’urgence',
  emergency_contraception: 'Contraception d’urgence',
  endocrinology: 'Endocrinologie',
  equipment: 'Matériel',
  face_masks: 'Masques',
  family_area: 'Espace famille',
  find_healthcare: 'Trouver des soins de santé',
  food_distribution: 'Distribution de repas',
  food_packages: 'Panier alimentaire',
  food_voucher: 'Bon / chèque alimentaire',
  food: 'Alimentation',
  fountain: 'Fontaine à eau',
  french_course: 'Cours de français',
  gastroenterology: 'Gastro-entérologie',
  general_practitioner: 'Médecin généraliste',
  gynecology: 'Gynécologie',
  hairdresser: 'Coiffeur',
  health_assessment: 'Bilan de santé',
  health_coverage: 'Couverture santé',
  health_specialists: 'Spécialistes',
  health: 'Santé',
  hearing_care: 'Santé auditive',
  hiv_prevention: 'Prévention du VIH',
  hygiene_and_wellness: 'Hygiène et bien-être',
  hygiene_products: 'Produits d’hygiène',
  infirmary: 'Infirmerie',
  information_point: 'Point d’information et d’orientation',
  integration_through_economic_activity: 'Insertion par l’activité économique',
  job_coaching: 'Accompagnement à l’emploi',
  kinesitherapy: 'Kinésithérapie',
  laundry: 'Laverie',
  legal_advice: 'Permanence juridique',
  libraries: 'Bibliothèque',
  long_term_accomodation: 'Hébergement à long terme',
  luggage_storage: 'Bagagerie',
  mammography: 'Mammographie',
  medical_accommodation: 'Hébergement médical',
  mental_health_education: 'Éducation à la santé mentale',
  mobility_assistance: 'Aide à la mobilité',
  mobility_financing: 'Aide financière pour la mobilité',
  mobility_support: 'Aide à la mobilité',
  museums: 'Musée',
  nutrition: 'Nutrition',
  optical_care: 'Soins optiques',
  osteopathy: 'Ostéopathe',
  other_activities: 'Activités diverses',
  otorhinolaryngology: 'Oto-rhino-laryngologie',
  overnight_stop: 'Halte de nuit',
  parent_assistance: 'Conseil aux parents',
  pedicure: 'Pédicure',
  personal_vehicle_access: 'Accès à un véhicule personnel',
  phlebology: 'Phlébologie',
  pneumology: 'Pneumologie',
  pregnancy_care: 'Suivi grossesse',
  psychiatry: 'Psychiatrie',
  psychological_support: 'Psychologie',
  public_writer: 'Écrivain public',
  radiology: 'Radiologie',
  rest_area: 'Espace de repos',
  rheumatology: 'Rhumatologie',
  seated_catering: 'Restauration assise',
  sexual_health_education: 'Éducation à la santé sexuelle',
  sexual_health_vaccination: 'Vaccination en santé sexuelle',
  sexual_violence_support: 'Soutien aux victimes de violences sexuelles',
  shared_kitchen: 'Cuisine partagée',
  shower: 'Douche',
  social_accompaniment: 'Accompagnement social',
  social_grocery_stores: 'Épicerie Sociale et Solidaire',
  solidarity_fridge: 'Frigo solidaire',
  solidarity_store: 'Boutique solidaire',
  speech_therapy: 'Orthophonie',
  sport_activities: 'Activités sportives',
  std_testing: 'Dépistage',
  sti_prevention_testing: 'Prévention et dépistage IST',
  stomatology: 'Stomatologie',
  support_groups: 'Groupes de soutien',
  technology: 'Technologie',
  telephone_at_your_disposal: 'Téléphone',
  therapeutic_activities: 'Activités thérapeutiques',
  toilets: 'Toilettes',
  training_and_jobs: 'Formation et emploi',
  transportation_mobility: 'Transport / Mobilité',
  tutoring: 'Soutien scolaire',
  urology: 'Urologie',
  vaccination: 'Vaccination',
  vehicle_maintenance: 'Entretien de véhicule',
  vet_care: 'Vétérinaire',
  welcome: 'Accueil',
  wellness: 'Bien-être',
  wifi: 'Wifi',
};

/** Soliguide's fr labels (`CAT_*` in fr.json @ ef581c26) of the current codes DI's label table lacks. */
export const SOLIGUIDE_FR_LABELS: Readonly<Record<string, string>> = {
  health_access: 'Accès à la santé',
  physical_health: 'Santé du corps',
  mental_health: 'Santé mentale',
  addictions: 'Addictions',
  sexual_health: 'Santé sexuelle',
  parenthood: 'Parentalité',
  neurology: 'Neurologue',
  vascular_surgery: 'Chirurgien vasculaire',
  mobility: 'Transport / Mobilité',
  catalan_course: 'Cours de catalan',
  spanish_course: "Cours d'espagnol",
  legal_protection: 'Protection juridique',
  regularization: 'Régularisation exceptionnelle',
  cooling_space: 'Espace fraîcheur',
  climate_refuge: 'Refuge climatique',
  // legacy codes (LEGACY_CATEGORIES)
  addiction: 'Addiction',
  ophthalmology: 'Ophtalmologie',
  provision_of_vehicles: 'Mise à disposition de véhicule',
};

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** `_map_soliguide__types_v1.sql`: category → v1 `type` (`null`: none). */
export const DI_TYPES: Readonly<Record<string, string | null>> = {
  abortion: 'accompagnement',
  access_to_housing: 'accompagnement',
  addiction_care: 'accompagnement',
  addiction_prevention_and_material: 'accompagnement',
  administrative_assistance: 'accompagnement',
  affective_life: 'accompagnement',
  baby_parcel: 'aide-materielle',
  babysitting: 'aide-materielle',
  budget_advice: 'accompagnement',
  carpooling: 'aide-materielle',
  chauffeur_driven_transport: 'aide-materielle',
  child_care: 'accompagnement',
  citizen_housing: 'accompagnement',
  clothing: 'aide-materielle',
  community_garden: 'atelier',
  computers_at_your_disposal: 'aide-materielle',
  contraception: 'aide-materielle',
  cooking_workshop: 'atelier',
  day_hosting: 'aide-materielle',
  dental_care: 'accompagnement',
  digital_tools_training: 'formation',
  disability_advice: 'accompagnement',
  domiciliation: 'accompagnement',
  driving_license: 'accompagnement',
  emergency_accommodation: 'aide-materielle',
  emergency_contraception: 'aide-materielle',
  family_area: 'aide-materielle',
  food_distribution: 'aide-materielle',
  food_packages: 'aide-materielle',
  food_voucher: 'aide-financiere',
  french_course: 'formation',
  general_practitioner: 'accompagnement',
  health_specialists: 'accompagnement',
  infirmary: 'accompagnement',
  information_point: 'information',
  integration_through_economic_activity: 'accompagnement',
  job_coaching: 'accompagnement',
  legal_advice: 'accompagnement',
  libraries: 'aide-materielle',
  long_term_accomodation: 'accompagnement',
  mental_health_education: 'formation',
  mobility_assistance: 'accompagnement',
  mobility_financing: 'aide-financiere',
  mobility_support: 'accompagnement',
  museums: 'atelier',
  other_activities: 'atelier',
  overnight_stop: 'aide-materielle',
  parent_assistance: 'accompagnement',
  personal_vehicle_access: 'aide-materielle',
  pregnancy_care: 'accompagnement',
  psychological_support: 'accompagnement',
  public_writer: 'accompagnement',
  rest_area: 'aide-materielle',
  seated_catering: 'aide-materielle',
  sexual_health_education: 'accompagnement',
  sexual_health_vaccination: 'aide-materielle',
  sexual_violence_support: 'accompagnement',
  shared_kitchen: 'aide-materielle',
  social_accompaniment: 'accompagnement',
  social_grocery_stores: 'aide-materielle',
  solidarity_fridge: 'aide-materielle',
  solidarity_store: 'aide-materielle',
  sport_activities: 'atelier',
  std_testing: 'accompagnement',
  sti_prevention_testing: 'aide-materielle',
  support_groups: 'accompagnement',
  transportation_mobility: 'accompagnement',
  tutoring: 'accompagnement',
  vaccination: 'accompagnement',
  vehicle_maintenance: 'aide-materielle',
  wellness: 'atelier',
  wifi: 'aide-materielle',
  acupuncture: null,
  allergology: null,
  animal_assitance: null,
  cardiology: null,
  chronic_diseases: null,
  dermatology: null,
  digital_safe: null,
  echography: null,
  electrical_outlets_available: null,
  endocrinology: null,
  face_masks: null,
  find_healthcare: null,
  fountain: null,
  gastroenterology: null,
  gynecology: null,
  health_assessment: null,
  health_coverage: null,
  hearing_care: null,
  hiv_prevention: null,
  hygiene_products: null,
  kinesitherapy: null,
  laundry: null,
  luggage_storage: null,
  mammography: null,
  medical_accommodation: null,
  nutrition: null,
  optical_care: null,
  osteopathy: null,
  otorhinolaryngology: null,
  pedicure: null,
  phlebology: null,
  pneumology: null,
  psychiatry: null,
  radiology: null,
  rheumatology: null,
  shower: null,
  speech_therapy: null,
  stomatology: null,
  telephone_at_your_disposal: null,
  therapeutic_activities: null,
  toilets: null,
  urology: null,
  vet_care: null,
};

// ---------------------------------------------------------------------------------------------
// Publics
// ---------------------------------------------------------------------------------------------

/**
 * `stg_soliguide__publics.sql`: the values of each publics dimension. A dimension listing all of its values
 * (or more) does not restrict the public and is ignored, as DI does. The family dimension is spelt `familialle`
 * by Soliguide (`PublicsElement.FAMILY`); DI's staging reads `familiale` (stg_soliguide__lieux__publics.sql,
 * stg_soliguide__services__publics.sql), a DI bug that makes it ignore the family dimension. Passerelle reads
 * Soliguide's spelling.
 */
export const PUBLICS_DIMENSIONS: Readonly<Record<string, readonly string[]>> = {
  administrative: ['regular', 'asylum', 'refugee', 'undocumented'],
  familialle: ['isolated', 'family', 'couple', 'pregnant'],
  gender: ['men', 'women'],
  other: ['violence', 'addiction', 'handicap', 'lgbt', 'hiv', 'prostitution', 'prison', 'student', 'mentalHealth'],
};

/** `_map_soliguide__publics_v1.sql`: Soliguide public → v1 publics (an empty list is a `NULL` row). */
export const DI_PUBLICS: Readonly<Record<string, readonly string[]>> = {
  addiction: ['personnes-en-situation-durgence'],
  asylum: ['personnes-exilees'],
  couple: ['familles'],
  family: ['familles'],
  handicap: ['personnes-en-situation-de-handicap'],
  hiv: [],
  isolated: ['personnes-en-situation-durgence', 'seniors'],
  lgbt: [],
  men: [],
  mentalHealth: [],
  pregnant: ['femmes', 'familles'],
  prison: ['personnes-en-situation-juridique-specifique'],
  prostitution: [],
  refugee: ['personnes-exilees'],
  regular: [],
  student: ['etudiants'],
  undocumented: ['personnes-exilees'],
  violence: ['personnes-en-situation-durgence'],
  women: ['femmes'],
  'tous-publics': ['tous-publics'],
};

// ---------------------------------------------------------------------------------------------
// Réseaux porteurs
// ---------------------------------------------------------------------------------------------

/** `_map_soliguide__reseaux_porteurs_v1.sql`: a place's `sources[].name` → v1 réseau porteur (`null`: none). */
export const DI_RESEAUX_PORTEURS: Readonly<Record<string, string | null>> = {
  'Alisol (AD2S)': null,
  'Conseil Départemental du 59': 'departements',
  'Croix-Rouge française': 'croix-rouge',
  'Crous - Pays de la Loire': null,
  'Société Saint Vincent de Paul': null,
  restos: 'restos-du-coeur',
};

// ---------------------------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------------------------

function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** A category as DI's tables know it: a legacy code is resolved to its current code where DI lacks it. */
function current(category: string): string {
  return own(DI_THEMATIQUES, category) === undefined ? (own(LEGACY_CATEGORIES, category) ?? category) : category;
}

/** The v1 thématiques of a Soliguide category ([] when it has none: the service is dropped, as DI does). */
export function thematiquesOf(category: string): readonly string[] {
  const code = current(category);
  return own(DI_THEMATIQUES, code) ?? own(PASSERELLE_THEMATIQUES, code) ?? [];
}

/** The service name of a Soliguide category: DI's label, else Soliguide's fr label. */
export function labelOf(category: string): string | undefined {
  return own(DI_LABELS, category) ?? own(SOLIGUIDE_FR_LABELS, category);
}

/** The v1 `type` of a Soliguide category, where DI gives one. */
export function typeOf(category: string): string | undefined {
  return own(DI_TYPES, current(category)) ?? undefined;
}
