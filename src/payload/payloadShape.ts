/** The key of Graph's import-action body: `{ "importedWindowsAutopilotDeviceIdentities": [ …devices ] }`. */
export const IMPORT_BODY_KEY = 'importedWindowsAutopilotDeviceIdentities';
