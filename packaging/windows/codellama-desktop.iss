; Inno Setup script for the Windows installer; packaging/build.py runs iscc with the defines below.
; A per-user install by default (no administrator needed), a Start menu entry, an uninstaller.
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\build\bundle\pyinstaller-dist\codellama-desktop"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#ifndef OutputName
  #define OutputName "codellama-desktop-setup"
#endif

[Setup]
AppId={{6F1C2B7E-4C1A-4F7B-9E0D-2B7C8A0D5E31}
AppName=Code Llama Desktop
AppVersion={#AppVersion}
AppPublisher=Code Llama Desktop developers
DefaultDirName={autopf}\Code Llama Desktop
DefaultGroupName=Code Llama Desktop
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename={#OutputName}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\codellama-desktop-gui.exe

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[Icons]
Name: "{group}\Code Llama Desktop"; Filename: "{app}\codellama-desktop-gui.exe"
Name: "{autodesktop}\Code Llama Desktop"; Filename: "{app}\codellama-desktop-gui.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\codellama-desktop-gui.exe"; Description: "{cm:LaunchProgram,Code Llama Desktop}"; Flags: nowait postinstall skipifsilent
