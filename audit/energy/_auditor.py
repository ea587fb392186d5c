class EnergyAuditor: pass
