/** Shapes shared by the inputs' validators and the resolvers' checks of plain arguments. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_TITLE_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 10_000;
export const MAX_COMMENT_LENGTH = 10_000;
export const MAX_SEARCH_LENGTH = 200;
export const PERMISSION_PATTERN = /^[a-z]+(:[a-z_]+)*$/;
