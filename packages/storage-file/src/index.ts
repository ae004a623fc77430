// Public entry of @hft/storage-file.
export { DEFAULT_TOKEN_FILE } from './file-names.js';
export { createFileTokenStore } from './file-token-store.js';
export { describeLooseMode, isWritableByOthers } from './mode-words.js';
export type { FileStoreWarning, FileTokenStoreOptions } from './options.js';
export { FORMAT_VERSION } from './record-format.js';
