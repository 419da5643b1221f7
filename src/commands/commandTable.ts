import type { CommandHandler } from './registerCommands';
import type { ExtensionServices } from '../services';
import { showLog } from './showLog';
import { selectAccount } from './selectAccount';
import { openDeviceLogin } from './openDeviceLogin';
import { signIn } from './signIn';
import { signOut } from './signOut';
import { convertCsvToJson } from './convertCsvToJson';
import { exportPortalCsv } from './exportPortalCsv';
import { newPayload } from './newPayload';
import { validateFile } from './validateFile';
import { clearFinishedImports } from './clearFinishedImports';
import { continueImport } from './continueImport';
import { copySerial } from './copySerial';
import { deleteImportRecord } from './deleteImportRecord';
import { findRegisteredDevice } from './findRegisteredDevice';
import { forgetImport } from './forgetImport';
import { importFile } from './importFile';
import { refreshImports } from './refreshImports';
import { retryFailed } from './retryFailed';
import { showRecord } from './showRecord';
import { stopImport } from './stopImport';
import { syncAutopilot } from './syncAutopilot';
import { continueIdentifierImport } from './continueIdentifierImport';
import { convertToIdentifiers } from './convertToIdentifiers';
import { copyIdentifier } from './copyIdentifier';
import { deleteIdentifier } from './deleteIdentifier';
import { importIdentifiers } from './importIdentifiers';
import { refreshIdentifiers } from './refreshIdentifiers';
import { splitIdentifierFile } from './splitIdentifierFile';
import { refreshDevices } from './refreshDevices';
import { filterDevices } from './filterDevices';
import { clearDeviceFilter } from './clearDeviceFilter';
import { editDevices } from './editDevices';
import { updateDevicesFromFile } from './updateDevicesFromFile';
import { deleteDevices, retireDevices } from './removeDevices';
import { addDevicesToGroup } from './addDevicesToGroup';
import { continueDeviceChange } from './continueDeviceChange';
import { writeDeviceIdentifiers } from './writeDeviceIdentifiers';

/** The id → handler table: the single place that says which code runs for which contributed command. */
export function commandTable(services: ExtensionServices): Record<string, CommandHandler> {
  return {
    'autopilot.showLog': () => showLog(services.log),
    'autopilot.signIn': (args) => signIn(services, args),
    'autopilot.openDeviceLogin': () => openDeviceLogin(),
    'autopilot.signOut': (accountId) => signOut(services, accountId),
    'autopilot.selectAccount': () => selectAccount(services),
    'autopilot.validateFile': (uri) => validateFile(services.payloads, uri),
    'autopilot.newPayload': () => newPayload(),
    'autopilot.convertCsvToJson': (uri) => convertCsvToJson(services.payloads, services.log, uri),
    'autopilot.exportPortalCsv': (uri) => exportPortalCsv(services.payloads, services.log, uri),
    'autopilot.importFile': (uri, options) => importFile(services, uri, options),
    'autopilot.refreshImports': () => refreshImports(services.importing),
    'autopilot.syncAutopilot': () => syncAutopilot(services.importing),
    'autopilot.retryFailed': (node, selection) => retryFailed(services, node, selection),
    'autopilot.continueImport': (node, selection) => continueImport(services, node, selection),
    'autopilot.stopImport': (node, selection) => stopImport(services.importing, node, selection),
    'autopilot.deleteImportRecord': (node, selection) => deleteImportRecord(services.importing, node, selection),
    'autopilot.showRecord': (node) => showRecord(services.importing, node),
    'autopilot.findRegisteredDevice': (node) => findRegisteredDevice(services.importing, node),
    'autopilot.copySerial': (node, selection) => copySerial(services.imports, node, selection),
    'autopilot.clearFinishedImports': () => clearFinishedImports(services.importing),
    'autopilot.forgetImport': (node, selection) => forgetImport(services.importing, node, selection),
    'autopilot.importIdentifiers': (uri, options) => importIdentifiers(services, uri, options),
    'autopilot.continueIdentifierImport': (runId) => continueIdentifierImport(services, runId),
    'autopilot.refreshIdentifiers': () => refreshIdentifiers(services.identifiers),
    'autopilot.deleteIdentifier': (node, selection, options) => deleteIdentifier(services.identifiers, node, selection, options),
    'autopilot.copyIdentifier': (node, selection) => copyIdentifier(services.identifiers.model, node, selection),
    'autopilot.convertToIdentifiers': (uri) => convertToIdentifiers(services.log, uri),
    'autopilot.splitIdentifierFile': (uri) => splitIdentifierFile(services.log, uri),
    'autopilot.refreshDevices': () => refreshDevices(services.devices),
    'autopilot.filterDevices': (text) => filterDevices(services.devices, text),
    'autopilot.clearDeviceFilter': () => clearDeviceFilter(services.devices),
    'autopilot.editDevices': (node, selection, options) => editDevices(services, node, selection, options),
    'autopilot.updateDevicesFromFile': (uri, options) => updateDevicesFromFile(services, uri, options),
    'autopilot.deleteDevices': (node, selection, options) => deleteDevices(services, node, selection, options),
    'autopilot.retireDevices': (node, selection, options) => retireDevices(services, node, selection, options),
    'autopilot.addDevicesToGroup': (node, selection, options) => addDevicesToGroup(services, node, selection, options),
    'autopilot.continueDeviceChange': (runId) => continueDeviceChange(services, runId),
    'autopilot.writeDeviceIdentifiers': (node, selection, options) => writeDeviceIdentifiers(services, node, selection, options),
  };
}
