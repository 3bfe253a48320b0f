/**
 * The container's entry point (`node dist/workload/src/main.js`): configuration from the stamp's
 * app settings, clients with the managed identity, the API and the health contract on one port.
 * Bad configuration: one line on stderr, exit code 2, nothing contacted. SIGTERM (App Service
 * stopping or replacing the instance): stop accepting, finish, close the clients, exit 0.
 */
import { hostname } from "node:os";
import { runService } from "../../stamp/health/run-service.js";
import { createAzureDependencies } from "./azure-clients.js";
import { loadShopConfig } from "./config.js";
import { startShop } from "./server.js";

runService(async () => {
  const config = loadShopConfig(process.env, hostname());
  const deps = await createAzureDependencies(config);
  const shop = await startShop(config, deps, (line) => console.log(line));
  console.log(`shop API ${config.release} in ${config.region} listening on ${config.host}:${shop.port}`);
  return async () => {
    await shop.close();
    await deps.close();
  };
});
