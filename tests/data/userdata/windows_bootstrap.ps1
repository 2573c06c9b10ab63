<powershell>
# Windows worker join
[string]$EKSBinDir = "$env:ProgramFiles\Amazon\EKS"
[string]$EKSBootstrapScriptName = 'Start-EKSBootstrap.ps1'
[string]$EKSBootstrapScriptFile = "$EKSBinDir\$EKSBootstrapScriptName"
$ClusterName = "win-prod"
$Endpoint = 'https://ABC.gr7.us-west-2.eks.amazonaws.com'
& $EKSBootstrapScriptFile -EKSClusterName $ClusterName `
    -APIServerEndpoint $Endpoint -Base64ClusterCA:"Y2E=" `
    -DNSClusterIP '172.20.0.10' -ServiceCIDR 172.20.0.0/16 `
    -KubeletExtraArgs "--node-labels=os=windows --register-with-taints=os=windows:NoSchedule" `
    -ExcludedSnatCIDRs "10.0.0.0/8" 3>&1 4>&1 5>&1 6>&1
& "C:\Program Files\Amazon\EKS\Start-EKSBootstrap.ps1" -eksclustername second-call
</powershell>
<persist>false</persist>
