// Case d client: the Azure Blob driver vs @azure/storage-blob against Azurite. Filled in once the
// driver (src/storage) exists; until then the runner reports case d as skipped.
import type { ClientResult, ClientTask } from "./client.js";

export async function runAzureClient(task: ClientTask): Promise<ClientResult> {
  throw new Error(`case d not available yet (peer ${task.peer})`);
}
